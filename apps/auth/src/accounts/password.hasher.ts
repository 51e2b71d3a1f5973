import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';

/**
 * Passwords as argon2id PHC strings (@node-rs/argon2's defaults: 19 MiB, 2 passes, OWASP's baseline). A sign-in for a
 * name that has no password still runs one verification against a throwaway hash, so a refusal takes as long whether
 * or not the name exists.
 */
@Injectable()
export class PasswordHasher {
  private dummy: Promise<string> | undefined;

  hash(password: string): Promise<string> {
    return hash(password);
  }

  async verify(stored: string | null, password: string): Promise<boolean> {
    if (stored === null) {
      this.dummy ??= hash('switchboard-no-such-user');
      await verify(await this.dummy, password).catch(() => false);
      return false;
    }
    return verify(stored, password).catch(() => false);
  }
}
