import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The subset of an ioredis client (standalone or Cluster) that scripts need. */
export interface ScriptClient {
  evalsha(sha: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
}

/**
 * A Lua script loaded from `.lua` files beside this code (the build copies them to dist): one file, or several run as
 * one script in the order given (a shared head first; Redis scripts cannot load one another). Runs with EVALSHA — one
 * round trip once the server has the script — and falls back to EVAL (which also caches it) on NOSCRIPT, e.g.
 * after a Redis restart or SCRIPT FLUSH.
 */
export class LuaScript {
  readonly source: string;
  readonly sha: string;

  constructor(fileNames: string | string[], dir: string = __dirname) {
    this.source = [fileNames]
      .flat()
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
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
