// The production build of the server: one ES module, dist/server.mjs, bundled by esbuild from
// bot/server.ts with every npm package left external. `npm start` runs it with plain Node, so
// the serving process does not carry the TypeScript loader (tsx): no per-module compile at
// start-up, less memory. Tests and `npm run device` keep running the sources through tsx.
//
// Plain JavaScript on purpose: it runs before anything is compiled (postinstall, and `npm start`
// when a source changed since the last build).
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverBundle = path.join(projectDir, 'dist', 'server.mjs');

/** The folders whose files end up in the bundle (the Prisma client is generated into generated/; tab-app/build.ts serves the tab). Only .ts and .json files count. */
const sourceFolders = ['bot', 'services', 'cards', 'prisma', 'generated', 'tab-app'];

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
      const fromBundle = path.relative(path.dirname(esbuild.initialOptions.outfile), args.path).split(path.sep).join('/');
      const dirFromBundle = path.posix.dirname(fromBundle);
      const contents = source
        .replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`)
        .replaceAll('import.meta.dirname', `(import.meta.dirname + ${JSON.stringify(`/${dirFromBundle}`)})`)
        .replaceAll('import.meta.filename', `(import.meta.dirname + ${JSON.stringify(`/${fromBundle}`)})`);
      return { contents, loader: 'ts' };
    });
  },
};

/** Builds dist/server.mjs (and its source map). */
export async function buildServer() {
  await bundleModule(path.join(projectDir, 'bot', 'server.ts'), serverBundle);
}

/**
 * Bundles one TypeScript entry into an ES module, the way the server is built (the benchmarks
 * build their baselines with it, so both sides run compiled). The files are written under
 * temporary names and renamed into place, so a server starting while another process rebuilds
 * never imports half a file.
 */
export async function bundleModule(entry, outfile) {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [keepModuleUrls],
    write: false,
  });
  mkdirSync(path.dirname(outfile), { recursive: true });
  // The map first: the bundle's rename is what makes the new build visible.
  const files = [...result.outputFiles].sort((a, b) => Number(a.path === outfile) - Number(b.path === outfile));
  for (const file of files) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

function newestSourceTime(folder) {
  let newest = 0;
  if (!existsSync(folder)) return newest;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(full));
    else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** True when there is no bundle, or a source file (or this build script) changed after it was built. */
export function isBuildStale() {
  if (!existsSync(serverBundle)) return true;
  const builtAt = statSync(serverBundle).mtimeMs;
  if (statSync(fileURLToPath(import.meta.url)).mtimeMs > builtAt) return true;
  return sourceFolders.some((folder) => newestSourceTime(path.join(projectDir, folder)) > builtAt);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildServer();
  console.log(`Built ${path.relative(projectDir, serverBundle)}`);
}
