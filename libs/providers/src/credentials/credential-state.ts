import fs from 'node:fs';
import path from 'node:path';

/**
 * What a credential learns and must keep across restarts and replicas: a refresh token the provider rotated (Kiro
 * answers a refresh with a new one and may retire the old). Values are secrets: stores keep them sealed.
 */
export interface CredentialStateStore {
  read(key: string): Promise<string | null>;
  write(key: string, value: string): Promise<void>;
}

/** Seals values at rest: the SecretBox (SECRET_KEY, AES-256-GCM) that seals channel keys. */
export interface Sealer {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

export class MemoryCredentialStateStore implements CredentialStateStore {
  private readonly values = new Map<string, string>();

  async read(key: string): Promise<string | null> {
    return this.values.get(key) ?? null;
  }

  async write(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
}

/**
 * Standalone: one JSON file under DATA_DIR, values sealed, rewritten atomically (temp file + rename) so a crash leaves
 * the old file or the new one. The gateway and the router's prober share one instance per file (sharedProviderServices).
 */
export class FileCredentialStateStore implements CredentialStateStore {
  private cache: Record<string, string> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly box: Sealer,
  ) {}

  async read(key: string): Promise<string | null> {
    const sealed = this.load()[key];
    if (!sealed) return null;
    try {
      return this.box.decrypt(sealed);
    } catch {
      return null; // sealed with another SECRET_KEY: unusable, the credential's own value applies
    }
  }

  async write(key: string, value: string): Promise<void> {
    const all = this.load();
    all[key] = this.box.encrypt(value);
    const body = JSON.stringify(all);
    const run = this.writing.then(async () => {
      await fs.promises.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await fs.promises.writeFile(tmp, body, { mode: 0o600 });
      await fs.promises.rename(tmp, this.file);
    });
    this.writing = run.catch(() => undefined);
    await run;
  }

  private load(): Record<string, string> {
    if (this.cache) return this.cache;
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      this.cache = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
    } catch {
      this.cache = {};
    }
    return this.cache;
  }
}
