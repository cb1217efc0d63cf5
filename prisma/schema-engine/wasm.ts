// Loads Prisma's schema engine from @prisma/schema-engine-wasm. The package's entry point
// does `import * as wasm from "./schema_engine_bg.wasm"`, which needs WebAssembly ES module
// integration, absent from Node 20, so this file does by hand what that entry does. It also
// owns the one piece of process-wide state the engine needs: the timers its async runtime
// leaves pending, cleared once no engine is open, so that a script can exit when it is done.
import { readFileSync } from 'node:fs';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';

// Instantiate the bytes with the JS glue as the import object, hand the instance to the
// glue, and run the module's start function. The glue keeps the instance in a module-level
// variable, so there is one per process: load it once, share it.
let loaded: Promise<typeof glue.SchemaEngine> | undefined;

// The part of the WebAssembly JS API we use (our tsconfig has no DOM lib, and @types/node
// does not declare it).
const webAssembly = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: object } }> };
}).WebAssembly;

/** The engine's class, from the module loaded on first use. */
export function loadWasm(): Promise<typeof glue.SchemaEngine> {
  loaded ??= (async () => {
    const wasmUrl = new URL('schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const imports = { './schema_engine_bg.js': withTrackedTimers(glue) };
    const { instance } = await webAssembly.instantiate(readFileSync(wasmUrl), imports);
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return glue.SchemaEngine;
  })();
  return loaded;
}

// The engine's async runtime can leave a timer pending after a call has finished, which
// keeps Node running after a script is done. We track the timers it starts and clear the
// leftovers when the last open engine closes (clearing them earlier could stall a call
// that is waiting on one).
const pendingTimers = new Set<NodeJS.Timeout>();
let openEngines = 0;

function withTrackedTimers(bindings: typeof glue): Record<string, unknown> {
  const wrapped: Record<string, unknown> = { ...bindings };
  for (const [name, binding] of Object.entries(bindings) as [string, unknown][]) {
    if (!name.startsWith('__wbg_setTimeout_')) continue;
    const setTimer = binding as (callback: () => void, ms: number) => NodeJS.Timeout;
    wrapped[name] = (callback: () => void, ms: number) => {
      const timer: NodeJS.Timeout = setTimer(() => {
        pendingTimers.delete(timer);
        callback();
      }, ms);
      pendingTimers.add(timer);
      return timer;
    };
  }
  return wrapped;
}

/** Call when an engine has been created; pair with `engineClosed`. */
export function engineOpened(): void {
  openEngines += 1;
}

/** Call when an engine has been freed: once none is open, its leftover timers are cleared. */
export function engineClosed(): void {
  openEngines -= 1;
  if (openEngines > 0) return;
  for (const timer of pendingTimers) clearTimeout(timer);
  pendingTimers.clear();
}
