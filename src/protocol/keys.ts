import { createHash } from 'node:crypto';

/** MD5 of the concatenated parts. */
export function md5(...parts: Uint8Array[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** MD5(password): what the store keeps, and "md5_pass1" of the modern verify block. */
export function passwordMd5(password: string): Buffer {
  return md5(Buffer.from(password, 'utf8'));
}

/** Password key = MD5(MD5(password)) (PROTOCOL.md §3), from the stored MD5(password). */
export function passwordKeyFromMd5(pwMd5: Uint8Array): Buffer {
  return md5(pwMd5);
}

/** Password key = MD5(MD5(password)). */
export function passwordKey(password: string): Buffer {
  return md5(passwordMd5(password));
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** IM key = MD5(uid u32 ‖ session key). */
export function imKey(uid: number, sessionKey: Uint8Array): Buffer {
  return md5(u32(uid), sessionKey);
}

/** md5_pass_qq = MD5(MD5(pw) ‖ 00000000 ‖ uid u32): the modern verify-block key (PROTOCOL-MODERN.md §2). */
export function verifyBlockKey(pwMd5: Uint8Array, uid: number): Buffer {
  return md5(pwMd5, Buffer.alloc(4), u32(uid));
}
