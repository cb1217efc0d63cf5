// The production build of the server: dist/server.mjs, bundled by esbuild from bot/server.ts
// with every npm package left external. `npm start` runs it with plain Node, so the serving
// process does not carry the TypeScript loader (tsx): no per-module compile at start-up, less
// memory. Tests and `npm run device` keep running the sources through tsx.
//
// What only some deployments use (the Slack door, the PostgreSQL client) is imported with
// `await import()` where it is needed; esbuild splits those modules into chunks beside the
// bundle (dist/<module>-<hash>.mjs), so a bot without them never loads their packages.
//
// Plain JavaScript on purpose: it runs before anything is compiled (postinstall, and `npm start`
// when a source changed since the last build).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverBundle = path.join(projectDir, 'dist', 'server.mjs');
/** The source files the last build read (esbuild's metafile inputs): what the staleness check looks at. */
const serverInputs = path.join(projectDir, 'dist', 'server.inputs.json');
/** A chunk no current build refers to is deleted once it is this old (a process started from an older build loads its chunks at start-up). */
const oldChunkMs = 3_600_000;

/**
 * Some modules find files beside themselves (card templates, migrations, the tab's page) with
 * `import.meta.url`, `import.meta.dirname` or `import.meta.filename`. In a bundle those would be
 * the bundle's, so each module's are rewritten to its own source file's, computed relative to
 * the bundle: the checkout can move.
 */
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\.ts$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const source = await readFile(args.path, 'utf8');
      if (!/import\.meta\.(url|dirname|filename)/.test(source)) return undefined;
      const fromBundle = path.relative(esbuild.initialOptions.outdir, args.path).split(path.sep).join('/');
      const dirFromBundle = path.posix.dirname(fromBundle);
      const contents = source
        .replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`)
        .replaceAll('import.meta.dirname', `(import.meta.dirname + ${JSON.stringify(`/${dirFromBundle}`)})`)
        .replaceAll('import.meta.filename', `(import.meta.dirname + ${JSON.stringify(`/${fromBundle}`)})`);
      return { contents, loader: 'ts' };
    });
  },
};

/**
 * How each npm package the sources import reaches the bundle. Start-up is mostly Node loading
 * packages, so this is where it is won or lost (measured, see bench/benchmarks/startup.ts):
 *
 * - Packages that Node loads as CommonJS are required, not imported. An ES module's `import` of
 *   a CommonJS file makes Node scan that file's source (and every file it re-exports) for the
 *   names it exports, before anything runs: tens of milliseconds for botbuilder, restify, pino
 *   and Prisma's runtime. `require` reads the exports from the object as it is. The bundle gets
 *   a `require` (createRequire at its top), and esbuild's interop gives the same default and
 *   named imports.
 * - @libsql/client is imported by its SQLite-only entry (`@libsql/client/sqlite3`, the one its
 *   main entry hands `file:` URLs to, with the same createClient and errors). The bot opens
 *   SQLite files only (DATABASE_URL is `file:` or `postgres://`), and the main entry also loads
 *   the remote clients (Hrana over WebSocket and HTTP, 40 files).
 * - `bundledPackages` are compiled into the bundle: zod (about 100 small ES module files, each
 *   a file for Node to find, read and link) and Prisma's libsql adapter (so that its own import
 *   of @libsql/client gets the entry above); with whatever they import, resolved from where
 *   they are installed.
 * - Every other package stays an `import`, resolved by Node at run time.
 */
const bundledPackages = new Set(['zod', '@prisma/adapter-libsql']);

const npmPackages = {
  name: 'npm-packages',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.namespace === 'require-commonjs') return { path: args.path, external: true };
      if (args.path === '@libsql/client') return { path: '@libsql/client/sqlite3', external: true };
      const name = args.path.split('/').slice(0, args.path.startsWith('@') ? 2 : 1).join('/');
      // Inside a bundled package, or one of them: esbuild resolves it from the importer.
      if (bundledPackages.has(name) || args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      if (loadsAsCommonJs(args.path)) return { path: args.path, namespace: 'require-commonjs' };
      return { path: args.path, external: true };
    });
    esbuild.onLoad({ filter: /.*/, namespace: 'require-commonjs' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

const commonJsBanner = "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);";

/** Whether Node's ES module loader would load `specifier` (a package, from this project) as CommonJS. */
function loadsAsCommonJs(specifier) {
  let file;
  try {
    file = fileURLToPath(import.meta.resolve(specifier));
  } catch {
    return false;
  }
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type !== 'module';
  }
  return true;
}

/** Builds dist/server.mjs (its chunks and source maps), and notes which source files it read. */
export async function buildServer() {
  const inputs = await bundleModule(path.join(projectDir, 'bot', 'server.ts'), serverBundle);
  const temporary = `${serverInputs}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(inputs.map((input) => path.relative(projectDir, input))));
  renameSync(temporary, serverInputs);
}

/**
 * Bundles one TypeScript entry into an ES module, the way the server is built (the benchmarks
 * build their baselines with it, so both sides run compiled), with its chunks beside it.
 * Returns the source files it read. The files are written under temporary names and renamed
 * into place, the entry last, so a server starting while another process rebuilds never
 * imports half a file or a chunk that is not there yet.
 */
export async function bundleModule(entry, outfile) {
  // Loaded here, not at the top: `npm start` imports this file on every start, and only builds when stale.
  const { build } = await import('esbuild');
  const outdir = path.dirname(outfile);
  const result = await build({
    entryPoints: [entry],
    outdir,
    entryNames: path.basename(outfile, '.mjs'),
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: commonJsBanner },
    sourcemap: 'linked',
    metafile: true,
    absWorkingDir: projectDir,
    logLevel: 'warning',
    plugins: [keepModuleUrls, npmPackages],
    write: false,
  });
  mkdirSync(outdir, { recursive: true });
  // Chunks before the entry (which imports them), each map before its module.
  const order = (file) => (file.path === outfile ? 3 : file.path === `${outfile}.map` ? 2 : file.path.endsWith('.map') ? 0 : 1);
  const files = [...result.outputFiles].sort((a, b) => order(a) - order(b));
  for (const file of files) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  removeOldChunks(outdir, new Set(files.map((file) => file.path)));
  // Files only: a `require-commonjs:<package>` input is a stand-in made above, not a file.
  return Object.keys(result.metafile.inputs)
    .filter((input) => !input.startsWith('require-commonjs:'))
    .map((input) => path.resolve(projectDir, input));
}

/** Chunks of earlier builds, once no process can still be starting from them. */
function removeOldChunks(outdir, current) {
  for (const name of readdirSync(outdir)) {
    const file = path.join(outdir, name);
    if (!/-[A-Z0-9]{8}\.mjs(\.map)?$/.test(name) || current.has(file)) continue;
    if (Date.now() - statSync(file).mtimeMs > oldChunkMs) rmSync(file, { force: true });
  }
}

/**
 * True when there is no bundle, or this build script or a source file the last build read
 * changed after it was built. Only those files are looked at (a few hundred stats), not every
 * folder. A new file counts as soon as a file that imports it changes.
 */
export function isBuildStale() {
  if (!existsSync(serverBundle) || !existsSync(serverInputs)) return true;
  const builtAt = statSync(serverBundle).mtimeMs;
  if (statSync(fileURLToPath(import.meta.url)).mtimeMs > builtAt) return true;
  const inputs = JSON.parse(readFileSync(serverInputs, 'utf8'));
  return inputs.some((input) => {
    const stats = statSync(path.join(projectDir, input), { throwIfNoEntry: false });
    return !stats || stats.mtimeMs > builtAt;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildServer();
  console.log(`Built ${path.relative(projectDir, serverBundle)}`);
}
