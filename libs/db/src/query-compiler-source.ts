/**
 * Prisma's generated client loads its query compiler (WASM) from a module that exports the binary as one base64
 * string (`query_compiler_fast_bg.postgresql.wasm-base64.js`, 4.6 MB) and keeps only the compiled WebAssembly.Module.
 * The module itself stays in `require.cache` (and in its parent's `children`), and with it the 4.4 MB string, for the
 * life of the process. Once the compiler is loaded, nothing needs it again: dropped here, the string can be collected.
 * A PrismaClient created later would load the file again (that is all it costs).
 */
const BASE64_MODULE = /[\\/]@prisma[\\/]client[\\/]runtime[\\/]query_compiler_[a-z]+_bg\.[a-z]+\.wasm-base64\.js$/;

export function releaseQueryCompilerSource(cache: NodeJS.Require['cache'] = require.cache): number {
  let released = 0;
  for (const [id, mod] of Object.entries(cache)) {
    if (!mod || !BASE64_MODULE.test(id)) continue;
    delete cache[id];
    const siblings = mod.parent?.children;
    const at = siblings?.indexOf(mod) ?? -1;
    if (siblings && at >= 0) siblings.splice(at, 1);
    released++;
  }
  return released;
}
