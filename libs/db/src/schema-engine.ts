import fs from 'node:fs';
import path from 'node:path';
import type * as EngineBg from '@prisma/schema-engine-wasm/schema_engine_bg';

export type SchemaEngineClass = typeof EngineBg.SchemaEngine;
export type SchemaEngine = EngineBg.SchemaEngine;

// The project's `lib` has no DOM/WebAssembly typings; this is the one call needed.
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: Record<string, Record<string, unknown>>): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const wasmApi = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let loading: Promise<SchemaEngineClass> | undefined;

/**
 * Loads Prisma's schema engine (WASM) without a native binary or a network.
 *
 * The package is a bundler-style ES module. Node 20 could `require()` it, but Jest's module system
 * cannot load ES modules without --experimental-vm-modules, and this code must run in both. The
 * glue file has no imports and only `export function|class` statements, so it is evaluated here as
 * a plain script (one code path everywhere), then the .wasm is instantiated with it as its imports.
 */
export function loadSchemaEngine(): Promise<SchemaEngineClass> {
  // Shared by the calls in flight only: once they are done, nothing of ours holds the engine, and its WASM instance
  // (memory, compiled code) is collected after its own timers have fired. Migrations are applied once per process
  // start, if at all.
  loading ??= instantiate().finally(() => {
    loading = undefined;
  });
  return loading;
}

async function instantiate(): Promise<SchemaEngineClass> {
  const pkgDir = path.dirname(require.resolve('@prisma/schema-engine-wasm'));
  const source = fs.readFileSync(path.join(pkgDir, 'schema_engine_bg.js'), 'utf8');
  const names: string[] = [];
  const body = source.replace(/^export (function|class) ([A-Za-z_$][\w$]*)/gm, (_m, kw: string, name: string) => {
    names.push(name);
    return `${kw} ${name}`;
  });
  if (/^\s*(export|import)\b/m.test(body)) {
    throw new Error('@prisma/schema-engine-wasm: unexpected module syntax in schema_engine_bg.js (package layout changed?)');
  }
  // The engine arms timers (timeouts raced against its operations) that it never clears; unref'd, they
  // no longer hold a finished process (or a Jest worker) open for ~10 s.
  const unrefSetTimeout = (fn: () => void, ms: number) => setTimeout(fn, ms).unref();
  // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call -- trusted file from node_modules, see above
  const glue = new Function('setTimeout', `"use strict";\n${body}\nreturn { ${names.join(', ')} };`)(unrefSetTimeout) as typeof EngineBg;
  if (typeof glue.SchemaEngine !== 'function' || typeof glue.__wbg_set_wasm !== 'function') {
    throw new Error('@prisma/schema-engine-wasm: SchemaEngine or __wbg_set_wasm missing (package layout changed?)');
  }
  const bytes = fs.readFileSync(path.join(pkgDir, 'schema_engine_bg.wasm'));
  const { instance } = await wasmApi().instantiate(bytes, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue.SchemaEngine;
}
