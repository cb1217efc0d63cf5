// Stack traces of the production build name the TypeScript sources: a frame in dist/ (the
// bundle or one of its chunks) is mapped through that file's source map, which is read the
// first time a stack with such a frame is formatted (an error logged or printed).
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
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Maps the frames of files under `buildDir` in every error stack formatted from now on. */
export function mapBundleStackTraces(buildDir) {
  const buildUrl = pathToFileURL(buildDir).href + '/';
  /** file URL → its SourceMap, or null when it has none. */
  const maps = new Map();

  function sourceMapOf(fileUrl) {
    if (!maps.has(fileUrl)) {
      const mapFile = `${fileURLToPath(fileUrl)}.map`;
      maps.set(fileUrl, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null);
    }
    return maps.get(fileUrl);
  }

  /** `frame` as V8 writes it, with its bundle location replaced by the TypeScript source's. */
  function mappedFrame(frame) {
    const text = String(frame);
    const fileUrl = frame.getFileName();
    if (typeof fileUrl !== 'string' || !fileUrl.startsWith(buildUrl)) return text;
    const line = frame.getLineNumber();
    const column = frame.getColumnNumber();
    const map = line && column ? sourceMapOf(fileUrl) : null;
    const entry = map?.findEntry(line - 1, column - 1);
    if (!entry?.originalSource) return text;
    const source = path.resolve(path.dirname(fileURLToPath(fileUrl)), entry.originalSource);
    return text.replace(`${fileUrl}:${line}:${column}`, `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`);
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
