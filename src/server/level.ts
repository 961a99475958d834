/** Level shown for an account: one level per 10 days since it was created (the server keeps no online time). */
export function levelOf(createdAt: number, nowSec: number): { activeTime: number; level: number; daysLeft: number } {
  const days = Math.max(0, Math.floor((nowSec - createdAt) / 86_400));
  return { activeTime: days, level: 1 + Math.floor(days / 10), daysLeft: 10 - (days % 10) };
}
