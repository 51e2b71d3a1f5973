import { LuaScript, type ScriptClient } from './lua-script.runner';

function fakeClient(evalshaError: Error | null): ScriptClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    evalsha: async (sha, numKeys, ...rest) => {
      calls.push(`evalsha ${sha.length} ${numKeys} ${rest.join(',')}`);
      if (evalshaError) throw evalshaError;
      return 'cached';
    },
    eval: async (source, numKeys, ...rest) => {
      calls.push(`eval ${source.includes('HGETALL')} ${numKeys} ${rest.join(',')}`);
      return 'loaded';
    },
  };
}

describe('LuaScript', () => {
  const script = new LuaScript('limits-acquire.lua');

  it('loads the .lua file beside the code and runs it by SHA1', async () => {
    expect(script.sha).toMatch(/^[0-9a-f]{40}$/);
    const client = fakeClient(null);
    await expect(script.run(client, ['k1', 'k2'], ['a', 1])).resolves.toBe('cached');
    expect(client.calls).toEqual(['evalsha 40 2 k1,k2,a,1']);
  });

  it('runs several files as one script, in the order given', () => {
    const joined = new LuaScript(['limits-batch.lua', 'limits-acquire.lua']);
    expect(joined.source.indexOf('local function eachRequest')).toBeGreaterThanOrEqual(0);
    expect(joined.source.indexOf('local function eachRequest')).toBeLessThan(joined.source.indexOf('local function acquire'));
    expect(joined.sha).not.toBe(script.sha);
  });

  it('falls back to EVAL when the server does not have the script', async () => {
    const client = fakeClient(new Error('NOSCRIPT No matching script. Please use EVAL.'));
    await expect(script.run(client, ['k1'], [7])).resolves.toBe('loaded');
    expect(client.calls).toEqual(['evalsha 40 1 k1,7', 'eval true 1 k1,7']);
  });

  it('does not retry other errors', async () => {
    const client = fakeClient(new Error('ERR wrong number of arguments'));
    await expect(script.run(client, ['k1'], [])).rejects.toThrow('ERR wrong number');
    expect(client.calls).toHaveLength(1);
  });
});
