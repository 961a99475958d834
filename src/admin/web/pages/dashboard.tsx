// Live rates (1 s samples, last 10 minutes) and the online count, with uPlot.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { api } from '../api.js';
import { usePoll, when } from '../hooks.js';
import type { RateSample } from '../../traffic.js';

type Sample = RateSample;

interface Info {
  udp: string;
  udpSocket?: 'native' | 'dgram';
  startedAt: number;
  uptimeSeconds: number;
  users: number;
  online: number;
  counters: Record<string, unknown>;
}

const SERIES: [keyof Sample, string, string][] = [
  ['datagramsIn', 'datagrams in/s', '#2563eb'],
  ['datagramsOut', 'datagrams out/s', '#16a34a'],
  ['dropped', 'dropped/s', '#dc2626'],
  ['messagesDelivered', 'delivered/s', '#9333ea'],
];

function Chart({ samples, keys, height }: { samples: Sample[]; keys: [keyof Sample, string, string][]; height: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current!;
    plot.current = new uPlot(
      {
        width: el.clientWidth || 800,
        height,
        series: [{}, ...keys.map(([, label, stroke]) => ({ label, stroke, width: 1.5 }))],
        axes: [{}, { size: 50 }],
        legend: { live: false },
      },
      [[], ...keys.map(() => [])],
      el,
    );
    const resize = () => plot.current?.setSize({ width: el.clientWidth, height });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.current?.destroy();
    };
  }, []);
  useEffect(() => {
    plot.current?.setData([samples.map((s) => s.t / 1000), ...keys.map(([k]) => samples.map((s) => s[k]))]);
  }, [samples]);
  return <div ref={box} class="chart" />;
}

export function Dashboard() {
  const rates = usePoll(() => api<Sample[]>('GET', '/api/rates'), 1000);
  const info = usePoll(() => api<Info>('GET', '/api/server'), 2000);
  const samples = rates.data ?? [];
  const last = samples.at(-1);
  const i = info.data;
  return (
    <section>
      <h2>Dashboard</h2>
      <div class="cards">
        <div class="card">
          <b id="online-count">{i?.online ?? '…'}</b>
          <span>online</span>
        </div>
        <div class="card">
          <b>{i?.users ?? '…'}</b>
          <span>accounts</span>
        </div>
        <div class="card">
          <b>{last ? last.datagramsIn : '…'}</b>
          <span>datagrams in/s</span>
        </div>
        <div class="card">
          <b>{last ? last.dropped : '…'}</b>
          <span>dropped/s</span>
        </div>
        <div class="card">
          <b>{i ? String(i.counters.messagesDelivered) : '…'}</b>
          <span>messages delivered</span>
        </div>
      </div>
      <h3>Rates, last 10 minutes</h3>
      <Chart samples={samples} keys={SERIES} height={220} />
      <h3>Online</h3>
      <Chart samples={samples} keys={[['online', 'online', '#0891b2']]} height={120} />
      {i && (
        <p class="muted">
          UDP {i.udp}{i.udpSocket === 'dgram' ? ' (node:dgram)' : i.udpSocket === 'native' ? ' (native socket)' : ''} · up since {when(i.startedAt)} ({Math.floor(i.uptimeSeconds / 60)} min)
        </p>
      )}
      {(rates.error || info.error) && <p class="error">{rates.error ?? info.error}</p>}
    </section>
  );
}
