// Stack traces of the production build name the TypeScript sources: a frame in dist/ (the
// bundle) is mapped through its source map, which is read the first time a stack with such a
// frame is formatted (an error logged or printed).
//
// Why not process.setSourceMapsEnabled(true): on Node 20 it reads and parses the source map of
// every module Node loads, the packages' included, while they load: about 70 ms of CPU at
// start-up and 16 MB of memory, for maps that are almost never used. Frames in packages keep
// their JavaScript locations.
//
// Plain JavaScript on purpose: bot/start.mjs installs it before anything is compiled.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Maps the frames of files under `buildDir` in every error stack formatted from now on. */
export function mapBundleStackTraces(buildDir) {
  const buildPrefix = path.resolve(buildDir) + path.sep;
  /** Bundle file → its SourceMap, or null when it has none. */
  const maps = new Map();

  function sourceMapOf(file) {
    if (!maps.has(file)) {
      const mapFile = `${file}.map`;
      maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null);
    }
    return maps.get(file);
  }

  /** `frame` as V8 writes it, with its bundle location replaced by the TypeScript source's. */
  function mappedFrame(frame) {
    const text = String(frame);
    // A path for a CommonJS script (the bundle), a file URL for an ES module.
    const name = frame.getFileName();
    if (typeof name !== 'string') return text;
    const file = name.startsWith('file://') ? fileURLToPath(name) : name;
    if (!file.startsWith(buildPrefix)) return text;
    const line = frame.getLineNumber();
    const column = frame.getColumnNumber();
    const map = line && column ? sourceMapOf(file) : null;
    const entry = map?.findEntry(line - 1, column - 1);
    if (!entry?.originalSource) return text;
    const source = path.resolve(path.dirname(file), entry.originalSource);
    return text.replace(`${name}:${line}:${column}`, `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`);
  }

  Error.prepareStackTrace = (error, frames) => {
    let header;
    try {
      header = Error.prototype.toString.call(error);
    } catch {
      header = '<error>';
    }
    return frames.length === 0 ? header : `${header}\n${frames.map((frame) => `    at ${mappedFrame(frame)}`).join('\n')}`;
  };
}
