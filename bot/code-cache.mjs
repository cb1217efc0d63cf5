// Runs the production bundle (a CommonJS file) with a V8 code cache, so that a restart does not
// compile the bundle again: the JavaScript of Node 22's module.enableCompileCache(), which Node
// 20 lacks for both kinds of module.
//
// The bundle is compiled the way Node compiles a CommonJS module (Module.wrap, vm.Script with its
// path as the file name), handing V8 the code it cached on an earlier start. After the server is
// up, saveCodeCache() writes what V8 has compiled by then, including the functions the start-up
// ran (V8 compiles a function when it is first called), next to the bundle. Measured on this
// bundle: spawn to the first /readyz 463 → 427 ms (see README, Performance).
//
// Why a key of our own: V8 checks that a cache matches its version, its flags and the source's
// length, not the source's content. A rebuilt bundle of the same length would run the old
// build's compiled code, so each cache names the bundle it was made from (size and modification
// time) and is ignored for any other.
//
// Plain JavaScript on purpose: bot/start.mjs runs it before anything is compiled.
import { closeSync, fstatSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/** The cache file: a first line naming the bundle it belongs to, then V8's data. */
export function codeCacheFile(bundle) {
  return `${bundle}.code-cache`;
}

/**
 * The bundle's source and key, read through one open file: a rebuild that renames a new bundle
 * into place meanwhile cannot pair one build's key with the other build's source.
 */
function readBundle(bundle) {
  const fd = openSync(bundle, 'r');
  try {
    const stats = fstatSync(fd);
    return { key: `${stats.size}:${stats.mtimeMs}`, source: readFileSync(fd, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

/** V8's data from `cacheFile` when it was made from `key`'s bundle; otherwise (no file, another build) undefined. */
function readCachedData(cacheFile, key) {
  let file;
  try {
    file = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const lineEnd = file.indexOf(0x0a);
  if (lineEnd < 0 || file.toString('utf8', 0, lineEnd) !== key) return undefined;
  return file.subarray(lineEnd + 1);
}

/**
 * Runs the CommonJS file `bundle` as Node would require it, with the code cache if there is a
 * valid one. Returns its exports, whether the cache was used ('used', 'none', or 'rejected' when
 * V8 refused it: another Node version or other V8 flags), and saveCodeCache().
 */
export function runWithCodeCache(bundle) {
  const { key, source } = readBundle(bundle);
  const cacheFile = codeCacheFile(bundle);
  const cachedData = readCachedData(cacheFile, key);
  // No import() in the script: Node 20 runs it only with an experimental flag (the build turns
  // the bundle's into require()).
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  const module = { exports: {}, filename: bundle, id: bundle, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  module.loaded = true;

  /**
   * Writes the cache when there was none to use, with everything V8 has compiled so far. Call it
   * once the server is serving, and before changing any V8 flag (V8 refuses a cache made under
   * other flags). A read-only install simply runs without one. Written under a temporary name
   * and renamed, so an instance starting meanwhile reads a whole file or none.
   */
  function saveCodeCache() {
    if (cache === 'used') return false;
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, Buffer.concat([Buffer.from(`${key}\n`), script.createCachedData()]));
      renameSync(temporary, cacheFile);
      return true;
    } catch {
      rmSync(temporary, { force: true });
      return false;
    }
  }

  return { exports: module.exports, cache, saveCodeCache };
}
