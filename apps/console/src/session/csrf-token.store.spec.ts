import { CsrfTokenStore } from './csrf-token.store';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem = (k: string) => this.items.get(k) ?? null;
  setItem = (k: string, v: string) => void this.items.set(k, v);
  removeItem = (k: string) => void this.items.delete(k);
}

describe('CsrfTokenStore', () => {
  it('keeps only the CSRF token, and forgets it on clear', () => {
    const storage = new MemoryStorage();
    const store = new CsrfTokenStore(storage);
    expect(store.get()).toBeNull();
    store.set('t1');
    expect(store.get()).toBe('t1');
    expect([...storage.items.keys()]).toEqual(['sb.csrfToken']);
    store.clear();
    expect(store.get()).toBeNull();
  });
});
