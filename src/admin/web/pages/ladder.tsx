// Ladder diagram: clients on the left, the server on the right, one arrow per packet in time order;
// replies carry their round-trip time, retransmissions and repeated pushes are dashed, pushes are coloured.
import type { Packet } from './inspector.js';

const MAX = 300;
const STEP = 22;

export function Ladder({ packets, onPick }: { packets: Packet[]; onPick: (p: Packet) => void }) {
  const list = packets.slice(0, MAX);
  const clients = [...new Set(list.map((p) => p.client))];
  const width = 760;
  const server = width - 120;
  const xOf = (client: string) => 90 + (clients.indexOf(client) * (server - 220)) / Math.max(1, clients.length);
  const height = 40 + list.length * STEP;
  return (
    <div class="ladder">
      {packets.length > MAX && <p class="muted">first {MAX} of {packets.length} packets (filter to see others)</p>}
      <svg id="ladder" width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
        {clients.map((c) => (
          <g>
            <line x1={xOf(c)} y1={24} x2={xOf(c)} y2={height} class="life" />
            <text x={xOf(c)} y={14} text-anchor="middle" class="who">{c}</text>
          </g>
        ))}
        <line x1={server} y1={24} x2={server} y2={height} class="life" />
        <text x={server} y={14} text-anchor="middle" class="who">server</text>
        {list.map((p, i) => {
          const y = 36 + i * STEP;
          const c = xOf(p.client);
          const [x1, x2] = p.direction === 'c2s' ? [c, server] : [server, c];
          const kind = p.role.includes('push') ? 'push' : p.role === 'retransmission' || p.role.startsWith('repeated') ? 'again' : p.role;
          const label = `${p.name} #${p.seq}${p.replyMs !== undefined ? ` (${p.replyMs.toFixed(1)} ms)` : ''}`;
          return (
            <g class={`arrow ${kind}`} onClick={() => onPick(p)} data-frame={p.frame}>
              <line x1={x1} y1={y} x2={x2} y2={y} />
              <polygon points={x2 > x1 ? `${x2},${y} ${x2 - 7},${y - 4} ${x2 - 7},${y + 4}` : `${x2},${y} ${x2 + 7},${y - 4} ${x2 + 7},${y + 4}`} />
              <text x={(x1 + x2) / 2} y={y - 4} text-anchor="middle">{label}</text>
              <text x={6} y={y + 4} class="muted">#{p.frame}</text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
