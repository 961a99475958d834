// The packet inspector: open a capture (upload, the server's live ring of a uid or address, or a --capture
// file), list its packets (virtual scrolling, filters), and for one packet show its field tree; clicking a
// field highlights its bytes in the wire or decrypted hex pane. Also the per-command size table and a ladder
// diagram of requests, replies, retransmissions and pushes. Passwords stay in this page's memory.
import { useMemo, useRef, useState } from 'preact/hooks';
import { api, token } from '../api.js';
import { Ladder } from './ladder.js';

import type { InspectField, InspectPacket, InspectResult } from '../../../analyzer/inspect.js';

// The answer is JSON: the server's types, as they arrive (no Buffers in them).
export type Field = InspectField;
export type Packet = InspectPacket;
type Result = InspectResult;

const ROW = 22;
const hex4 = (n: number) => '0x' + n.toString(16).padStart(4, '0');

/** `uid:password` lines → credentials. */
function parsePasswords(text: string): { uid: number; password: string }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const at = l.indexOf(':');
      return { uid: Number(l.slice(0, at)), password: l.slice(at + 1) };
    });
}

interface Node {
  f: Field;
  children: Node[];
}

/** Fields nested by containment (a codec's sub-structure reads fall inside the range that holds them). */
function tree(fields: Field[]): Node[] {
  const roots: Node[] = [];
  const stack: Node[] = [];
  const sorted = [...fields].sort((a, b) => a.start - b.start || b.end - a.end);
  for (const f of sorted) {
    const n: Node = { f, children: [] };
    while (stack.length && !(f.start >= stack.at(-1)!.f.start && f.end <= stack.at(-1)!.f.end && f !== stack.at(-1)!.f)) stack.pop();
    (stack.length ? stack.at(-1)!.children : roots).push(n);
    stack.push(n);
  }
  return roots;
}

function valueOf(hex: string, f: Field): string {
  const n = f.end - f.start;
  if (n === 1 || n === 2 || n === 4) {
    const v = parseInt(hex.slice(f.start * 2, f.end * 2), 16);
    return ` = ${v}${n > 1 ? ` (0x${v.toString(16)})` : ''}`;
  }
  return '';
}

function FieldTree({ nodes, hexOf, selected, onPick }: { nodes: Node[]; hexOf: (pane: string) => string; selected: Field | null; onPick: (f: Field) => void }) {
  return (
    <ul class="tree">
      {nodes.map((n) => (
        <li>
          <span
            class={`fieldname${selected === n.f ? ' sel' : ''}`}
            data-field={n.f.field}
            data-pane={n.f.pane}
            onClick={() => onPick(n.f)}
          >
            {n.f.field} <span class="muted">[{n.f.start}–{n.f.end})</span>
            {valueOf(hexOf(n.f.pane), n.f)}
          </span>
          {n.children.length > 0 && <FieldTree nodes={n.children} hexOf={hexOf} selected={selected} onPick={onPick} />}
        </li>
      ))}
    </ul>
  );
}

function HexPane({ hex, id, range }: { hex: string; id: string; range: [number, number] | null }) {
  const bytes = hex.match(/../g) ?? [];
  const lines: preact.JSX.Element[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    lines.push(
      <div>
        <span class="muted">{i.toString(16).padStart(4, '0')} </span>
        {bytes.slice(i, i + 16).map((b, j) => {
          const at = i + j;
          const on = range !== null && at >= range[0] && at < range[1];
          return <span class={on ? 'hl' : ''} data-offset={at}>{b} </span>;
        })}
      </div>,
    );
  }
  return (
    <div class="hexpane" id={id}>
      {lines}
    </div>
  );
}

export function Inspector() {
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [passwords, setPasswords] = useState('');
  const [liveUid, setLiveUid] = useState('');
  const [liveAddress, setLiveAddress] = useState('');
  const [files, setFiles] = useState<string[] | null>(null);
  const [filter, setFilter] = useState({ uid: '', command: '', direction: '' });
  const [picked, setPicked] = useState<Packet | null>(null);
  const [field, setField] = useState<Field | null>(null);
  const [tab, setTab] = useState<'fields' | 'sizes' | 'ladder'>('fields');
  const [scroll, setScroll] = useState(0);
  const fileInput = useRef<HTMLInputElement>(null);

  const load = async (run: () => Promise<Result>) => {
    setBusy(true);
    setError(null);
    try {
      const r = await run();
      setResult(r);
      setPicked(null);
      setField(null);
      if (r.error) setError(`capture: ${r.error}`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const upload = () => {
    const f = fileInput.current?.files?.[0];
    if (!f) return setError('choose a pcap or pcapng file first');
    return load(async () => {
      const res = await fetch('/api/inspect/upload', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token() ?? ''}`,
          'content-type': 'application/octet-stream',
          'x-oicq-passwords': btoa(unescape(encodeURIComponent(JSON.stringify(parsePasswords(passwords))))),
        },
        body: await f.arrayBuffer(),
      });
      const v = await res.json();
      if (!res.ok) throw new Error(v?.error?.message ?? `HTTP ${res.status}`);
      return v as Result;
    });
  };
  const loadLive = () =>
    load(() =>
      api<Result>('POST', '/api/inspect/live', {
        ...(liveUid ? { uid: liveUid } : {}),
        ...(liveAddress ? { address: liveAddress } : {}),
        passwords: parsePasswords(passwords),
      }),
    );
  const listFiles = () => api<string[]>('GET', '/api/inspect/files').then(setFiles, (e: Error) => setError(e.message));

  const shown = useMemo(() => {
    const c = filter.command.trim().toLowerCase();
    return (result?.packets ?? []).filter(
      (p) =>
        (!filter.uid || String(p.uid ?? '') === filter.uid.trim()) &&
        (!filter.direction || p.direction === filter.direction) &&
        (!c || p.name.toLowerCase().includes(c) || hex4(p.command) === c),
    );
  }, [result, filter]);

  const height = 330;
  const first = Math.max(0, Math.floor(scroll / ROW) - 5);
  const last = Math.min(shown.length, first + Math.ceil(height / ROW) + 10);
  const hexOf = (pane: string) => (pane === 'plain' ? picked?.plain ?? '' : picked?.wire ?? '');

  return (
    <section>
      <h2>Packet inspector</h2>
      <div class="inline">
        <input type="file" id="capture-file" ref={fileInput} accept=".pcap,.pcapng,.cap" />
        <button id="upload" onClick={upload} disabled={busy}>Open upload</button>
        <span class="muted">or live:</span>
        <input id="live-uid" placeholder="uid" size={8} value={liveUid} onInput={(e) => setLiveUid(e.currentTarget.value)} />
        <input id="live-address" placeholder="address" size={14} value={liveAddress} onInput={(e) => setLiveAddress(e.currentTarget.value)} />
        <button id="load-live" onClick={loadLive} disabled={busy}>Open live ring</button>
        <button onClick={listFiles}>--capture files…</button>
        {files && files.map((f) => <button onClick={() => load(() => api<Result>('POST', '/api/inspect/file', { name: f, passwords: parsePasswords(passwords) }))}>{f}</button>)}
        {files && files.length === 0 && <span class="muted">none (oicq serve --capture)</span>}
      </div>
      <details>
        <summary>Passwords to decrypt (uid:password per line; kept in this page only)</summary>
        <textarea id="passwords" rows={3} cols={40} value={passwords} onInput={(e) => setPasswords(e.currentTarget.value)} />
      </details>
      {error && <p class="error">{error}</p>}
      {result && (
        <>
          <div class="inline">
            <strong>{shown.length}</strong>
            <span class="muted">of {result.packets.length} packets{result.truncated ? ' (list cut)' : ''}, {result.malformed.length} malformed</span>
            <input id="filter-uid" placeholder="uid" size={8} value={filter.uid} onInput={(e) => setFilter({ ...filter, uid: e.currentTarget.value })} />
            <input id="filter-command" placeholder="command (name or 0x…)" value={filter.command} onInput={(e) => setFilter({ ...filter, command: e.currentTarget.value })} />
            <select id="filter-direction" value={filter.direction} onChange={(e) => setFilter({ ...filter, direction: e.currentTarget.value })}>
              <option value="">both directions</option>
              <option value="c2s">client → server</option>
              <option value="s2c">server → client</option>
            </select>
          </div>
          <div class="plist-head">
            <span>frame</span><span>time</span><span>endpoints</span><span>dir</span><span>framing</span><span>version</span><span>command</span><span>seq</span><span>uid</span><span>len</span><span>pairing</span><span>decrypt</span>
          </div>
          <div class="plist" id="packets" style={{ height: `${height}px` }} onScroll={(e) => setScroll(e.currentTarget.scrollTop)}>
            <div style={{ height: `${shown.length * ROW}px`, position: 'relative' }}>
              {shown.slice(first, last).map((p, i) => (
                <div
                  class={`prow${picked === p ? ' sel' : ''} ${p.direction}`}
                  data-frame={p.frame}
                  style={{ top: `${(first + i) * ROW}px` }}
                  onClick={() => (setPicked(p), setField(null), setTab('fields'))}
                >
                  <span>{p.frame}</span>
                  <span>{new Date(p.time * 1000).toISOString().slice(11, 23)}</span>
                  <span>{p.src} → {p.dst}</span>
                  <span>{p.direction === 'c2s' ? '→' : '←'}</span>
                  <span>{p.framing}</span>
                  <span>{hex4(p.version)}</span>
                  <span>{p.name} {hex4(p.command)}</span>
                  <span>{p.seq}</span>
                  <span>{p.uid ?? ''}</span>
                  <span>{p.length}</span>
                  <span>{p.role}{p.peerFrame ? ` of #${p.peerFrame}` : ''}{p.replyMs !== undefined ? ` ${p.replyMs.toFixed(1)} ms` : ''}</span>
                  <span class={`dec-${p.decrypt}`}>{p.decrypt}</span>
                </div>
              ))}
            </div>
          </div>
          <div class="tabs">
            <button class={tab === 'fields' ? 'on' : ''} onClick={() => setTab('fields')}>Fields</button>
            <button class={tab === 'sizes' ? 'on' : ''} id="tab-sizes" onClick={() => setTab('sizes')}>Sizes per command</button>
            <button class={tab === 'ladder' ? 'on' : ''} id="tab-ladder" onClick={() => setTab('ladder')}>Ladder</button>
          </div>
          {tab === 'fields' &&
            (picked ? (
              <div class="detail">
                <div>
                  <h3>
                    #{picked.frame} {picked.name} <span class="muted">{picked.key ? `opened with the ${picked.key}` : picked.failure ?? ''}</span>
                  </h3>
                  <h4>Wire</h4>
                  <FieldTree nodes={tree(picked.fields.filter((f) => f.pane === 'wire'))} hexOf={hexOf} selected={field} onPick={setField} />
                  {picked.plain !== undefined && (
                    <>
                      <h4>Decrypted body</h4>
                      <FieldTree nodes={tree(picked.fields.filter((f) => f.pane === 'plain'))} hexOf={hexOf} selected={field} onPick={setField} />
                    </>
                  )}
                  {picked.notes.map((n) => <p class="muted">{n}</p>)}
                </div>
                <div>
                  <h3>Wire ({picked.length} bytes)</h3>
                  <HexPane id="hex-wire" hex={picked.wire} range={field?.pane === 'wire' ? [field.start, field.end] : null} />
                  {picked.plain !== undefined && (
                    <>
                      <h3>Decrypted body ({picked.plain.length / 2} bytes)</h3>
                      <HexPane id="hex-plain" hex={picked.plain} range={field?.pane === 'plain' ? [field.start, field.end] : null} />
                    </>
                  )}
                </div>
              </div>
            ) : (
              <p class="muted">click a packet</p>
            ))}
          {tab === 'sizes' && (
            <table id="sizes">
              <thead>
                <tr><th>framing</th><th>dir</th><th>command</th><th>count</th><th>UDP bytes min / median / max</th><th>OICQ bytes min / median / max</th><th>reply ms median</th></tr>
              </thead>
              <tbody>
                {result.sizes.map((r) => (
                  <tr>
                    <td>{r.framing}</td>
                    <td>{r.direction}</td>
                    <td>{r.name} {r.command !== null ? hex4(r.command) : ''}</td>
                    <td>{r.count}</td>
                    <td>{r.udp ? `${r.udp.min} / ${r.udp.median} / ${r.udp.max}` : ''}</td>
                    <td>{r.oicq ? `${r.oicq.min} / ${r.oicq.median} / ${r.oicq.max}` : ''}</td>
                    <td>{r.replyMs ? r.replyMs.median.toFixed(1) : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {tab === 'ladder' && <Ladder packets={shown} onPick={(p) => (setPicked(p), setTab('fields'))} />}
        </>
      )}
    </section>
  );
}
