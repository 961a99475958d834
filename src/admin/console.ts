// Builds the web console (web/, Preact + TypeScript + uPlot) with esbuild, in memory, once per process: the
// bundle is made when the server starts (`npm start`, `oicq serve`, tests), so nothing built is committed and
// nothing is fetched from a CDN. The page loads only its own script and style (CSP default-src 'self').
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Asset } from './http.js';

const WEB = fileURLToPath(new URL('./web/', import.meta.url));

let built: Promise<Map<string, Asset>> | undefined;

/** The console's files by URL path: '/' (the page), '/app.js', '/app.css'. Built on first call, then cached. */
export function consoleAssets(): Promise<Map<string, Asset>> {
  built ??= buildConsole();
  return built;
}

async function buildConsole(): Promise<Map<string, Asset>> {
  const r = await build({
    entryPoints: { app: `${WEB}app.tsx` },
    bundle: true,
    write: false,
    outdir: '/',
    format: 'esm',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'silent',
    legalComments: 'none',
  });
  const assets = new Map<string, Asset>();
  for (const f of r.outputFiles) {
    const type = f.path.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
    assets.set(f.path.slice(f.path.lastIndexOf('/')), { type, body: Buffer.from(f.contents) });
  }
  assets.set('/', { type: 'text/html; charset=utf-8', body: readFileSync(`${WEB}index.html`) });
  return assets;
}
