// Bundles the fleet tab (tab-app/src, React + Fluent UI + teams-js) into tab-app/dist with
// esbuild: minified ESM, no source from a CDN. Runs at install (npm's postinstall) and, when
// the sources are newer than the bundle, when the server starts, so `npm ci && npm start`
// serves the tab with no extra step. `node --import tsx tab-app/build.ts` builds by hand.
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const tabSourceDir = join(here, 'src');
export const tabDistDir = join(here, 'dist');
export const tabBundlePath = join(tabDistDir, 'app.js');

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function bundleMs(): number {
  try {
    return statSync(tabBundlePath).mtimeMs;
  } catch {
    return 0;
  }
}

/** Whether the bundle is missing or older than a source file (or this script). */
export function tabBundleIsStale(): boolean {
  const built = bundleMs();
  return built === 0 || built < Math.max(newestSourceMs(tabSourceDir), statSync(fileURLToPath(import.meta.url)).mtimeMs);
}

/** Builds the bundle; written beside and renamed, so a server reading it never sees half a file. */
export async function buildTab(): Promise<{ bytes: number }> {
  // Loaded here, not at the top: the server imports this file on every start, and builds only when stale.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(tabSourceDir, 'main.tsx')],
    bundle: true,
    format: 'esm',
    minify: true,
    target: ['chrome120', 'edge120', 'safari16', 'firefox120'],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output for the fleet tab');
  mkdirSync(tabDistDir, { recursive: true });
  const partial = `${tabBundlePath}.${process.pid}.tmp`;
  writeFileSync(partial, output.contents);
  renameSync(partial, tabBundlePath);
  return { bytes: output.contents.byteLength };
}

/** Builds only when stale: what the server does at start. */
export async function ensureTabBundle(): Promise<void> {
  if (tabBundleIsStale()) await buildTab();
}

// Run directly (npm run build:tab). Not a top-level await: the server's production build, which
// includes this file, is a CommonJS file (a failed build still ends the process with its error).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void buildTab().then(({ bytes }) => console.log(`fleet tab built: ${tabBundlePath} (${Math.round(bytes / 1024)} KB)`));
}
