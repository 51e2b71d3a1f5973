import type { Bus } from '@switchboard/messaging';
import type { Keys } from './key.repository';
import { TokenExpiryService } from './token-expiry.service';

describe('TokenExpiryService', () => {
  it('tells the gateways which keys it expired, and nothing when none were due', async () => {
    const due: Date[] = [];
    let flipped = ['h1', 'h2'];
    const keys = {
      expireDue: (now: Date) => {
        due.push(now);
        const out = flipped;
        flipped = [];
        return Promise.resolve(out);
      },
    } as Pick<Keys, 'expireDue'> as Keys;
    const emitted: unknown[] = [];
    const service = new TokenExpiryService(keys, { emit: (_: string, p: unknown) => void emitted.push(p) } as unknown as Bus);
    const now = new Date('2026-05-05T00:00:00Z');
    expect(await service.expireDue(now)).toEqual(['h1', 'h2']);
    expect(await service.expireDue(now)).toEqual([]);
    expect(due).toEqual([now, now]);
    expect(emitted).toEqual([{ keyHashes: ['h1', 'h2'], all: false }]);
  });
});
