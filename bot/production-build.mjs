// The production build of the server: dist/server.cjs, bundled by esbuild from bot/server.ts
// with every npm package left external. `npm start` runs it with plain Node, so the serving
// process does not carry the TypeScript loader (tsx): no per-module compile at start-up, less
// memory. Tests and `npm run device` keep running the sources through tsx.
//
// A CommonJS file, not an ES module: Node 20 can hand V8 a code cache for a script but not for
// an ES module, and bot/code-cache.mjs runs the bundle with one (a restart skips compiling it).
// What only some deployments use (the Slack door, the PostgreSQL client) is imported with
// `await import()` where it is needed; in a CommonJS bundle esbuild keeps such a module as a
// function that runs on that first import, so a bot without them never evaluates them or loads
// their packages.
//
// Plain JavaScript on purpose: it runs before anything is compiled (postinstall, and `npm start`
// when a source changed since the last build).
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverBundle = path.join(projectDir, 'dist', 'server.cjs');
/** The source files the last build read (esbuild's metafile inputs): what the staleness check looks at. */
const serverInputs = path.join(projectDir, 'dist', 'server.inputs.json');

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
 * - Packages are required by Node at run time (a CommonJS bundle requires what it imports).
 *   That is also the cheaper way for an ES module: its `import` of a CommonJS file makes Node
 *   scan that file's source (and every file it re-exports) for the names it exports, tens of
 *   milliseconds for botbuilder, restify, pino and Prisma's runtime; `require` reads the exports
 *   from the object as it is. esbuild's interop gives the same default and named imports.
 * - @libsql/client is required by its SQLite-only entry (`@libsql/client/sqlite3`, the one its
 *   main entry hands `file:` URLs to, with the same createClient and errors). The bot opens
 *   SQLite files only (DATABASE_URL is `file:` or `postgres://`), and the main entry also loads
 *   the remote clients (Hrana over WebSocket and HTTP, 40 files).
 * - `bundledPackages` are compiled into the bundle: zod (about 100 small ES module files, each
 *   a file for Node to find, read and link) and Prisma's libsql adapter (so that its own import
 *   of @libsql/client gets the entry above); with whatever they import, resolved from where
 *   they are installed.
 */
const bundledPackages = new Set(['zod', '@prisma/adapter-libsql']);

const npmPackages = {
  name: 'npm-packages',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      if (args.path === '@libsql/client') return { path: '@libsql/client/sqlite3', external: true };
      const name = args.path.split('/').slice(0, args.path.startsWith('@') ? 2 : 1).join('/');
      // Inside a bundled package, or one of them: esbuild resolves it from the importer.
      if (bundledPackages.has(name) || args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * A CommonJS module has no `import.meta`: the module URLs written above (keepModuleUrls) are
 * computed from the bundle's own file, which a CommonJS module knows as __filename.
 */
const moduleUrlBanner = "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;";

/** Builds dist/server.cjs (and its source map), and notes which source files it read. */
export async function buildServer() {
  const inputs = await bundleModule(path.join(projectDir, 'bot', 'server.ts'), serverBundle);
  const temporary = `${serverInputs}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(inputs.map((input) => path.relative(projectDir, input))));
  renameSync(temporary, serverInputs);
}

/**
 * Bundles one TypeScript entry into a CommonJS file (`outfile`, *.cjs), the way the server is
 * built (the benchmarks build their baselines with it, so both sides run compiled). Returns the
 * source files it read. The files are written under temporary names and renamed into place, the
 * bundle last, so a server starting while another process rebuilds never reads half a file.
 * (A module with a top-level `await` cannot be bundled so: esbuild says where.)
 */
export async function bundleModule(entry, outfile) {
  // Loaded here, not at the top: `npm start` imports this file on every start, and only builds when stale.
  const { build } = await import('esbuild');
  const outdir = path.dirname(outfile);
  const result = await build({
    entryPoints: [entry],
    outdir,
    entryNames: path.basename(outfile, '.cjs'),
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: moduleUrlBanner },
    define: { 'import.meta.url': '__bundleUrl', 'import.meta.dirname': '__dirname' },
    // import() of a package becomes a require() when first needed (Node 20.19 requires ES
    // modules too): a script run with a code cache (bot/code-cache.mjs) cannot import() on
    // Node 20 without an experimental flag.
    supported: { 'dynamic-import': false },
    sourcemap: 'linked',
    metafile: true,
    absWorkingDir: projectDir,
    logLevel: 'warning',
    plugins: [keepModuleUrls, npmPackages],
    write: false,
  });
  mkdirSync(outdir, { recursive: true });
  // The map before the bundle.
  const files = [...result.outputFiles].sort((a, b) => Number(a.path === outfile) - Number(b.path === outfile));
  for (const file of files) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  return Object.keys(result.metafile.inputs).map((input) => path.resolve(projectDir, input));
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
