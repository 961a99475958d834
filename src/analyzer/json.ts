// JSON for jq: Buffers and byte arrays as hex strings, bigints as decimal strings, Maps as objects.

/** JSON.stringify that never throws on Buffers or bigints (one line, no spaces). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    // `v` has been through Buffer#toJSON already; look at the raw value instead.
    const raw = key === '' ? v : this[key];
    if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
    if (typeof raw === 'bigint') return raw.toString();
    if (raw instanceof Map) return Object.fromEntries(raw);
    if (raw instanceof Set) return [...raw];
    return v;
  });
}
