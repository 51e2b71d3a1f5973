import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The subset of an ioredis client (standalone or Cluster) that scripts need. */
export interface ScriptClient {
  evalsha(sha: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
}

/**
 * A Lua script loaded from a `.lua` file beside this code (the build copies it to dist). Runs with EVALSHA — one
 * round trip once the server has the script — and falls back to EVAL (which also caches it) on NOSCRIPT, e.g.
 * after a Redis restart or SCRIPT FLUSH.
 */
export class LuaScript {
  readonly source: string;
  readonly sha: string;

  constructor(fileName: string, dir: string = __dirname) {
    this.source = fs.readFileSync(path.join(dir, fileName), 'utf8');
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }

  async run(client: ScriptClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
