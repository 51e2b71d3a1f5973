import { releaseQueryCompilerSource } from './query-compiler-source';

type Cache = NodeJS.Require['cache'];

describe('releaseQueryCompilerSource', () => {
  const mod = (id: string, parent?: NodeJS.Module) => ({ id, filename: id, parent, children: [] as NodeJS.Module[] }) as unknown as NodeJS.Module;

  it("drops the query compiler's base64 module from the cache and from its parent's children", () => {
    const parent = mod('/app/dist/libs/db/generated/internal/class.js');
    const b64 = mod('/app/node_modules/@prisma/client/runtime/query_compiler_fast_bg.postgresql.wasm-base64.js', parent);
    const glue = mod('/app/node_modules/@prisma/client/runtime/query_compiler_fast_bg.postgresql.js', parent);
    parent.children.push(glue, b64);
    const cache: Cache = { [parent.id]: parent, [b64.id]: b64, [glue.id]: glue };

    expect(releaseQueryCompilerSource(cache)).toBe(1);
    expect(Object.keys(cache).sort()).toEqual([parent.id, glue.id].sort());
    expect(parent.children).toEqual([glue]);
  });

  it('leaves everything else alone (nothing loaded yet, other runtime files)', () => {
    const client = mod('/app/node_modules/@prisma/client/runtime/client.js');
    const cache: Cache = { [client.id]: client };
    expect(releaseQueryCompilerSource(cache)).toBe(0);
    expect(Object.keys(cache)).toEqual([client.id]);
  });
});
