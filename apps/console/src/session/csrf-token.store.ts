/**
 * Where the session's CSRF token lives: sessionStorage (per tab, gone when it closes). The admin key is never stored;
 * the HttpOnly cookie is the credential and the page cannot read it.
 */
const KEY = 'sb.csrfToken';

export class CsrfTokenStore {
  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>) {}

  get(): string | null {
    return this.storage.getItem(KEY);
  }

  set(token: string): void {
    this.storage.setItem(KEY, token);
  }

  clear(): void {
    this.storage.removeItem(KEY);
  }
}
