import { DeadLetterListQuery } from '@switchboard/contracts';
import type { StoredDeadLetter, UsageDeadLetters } from './usage-dead-letter.repository';
import { UsageDeadLetterQueryService } from './usage-dead-letter-query.service';

describe('UsageDeadLetterQueryService', () => {
  it('answers each record parsed when it is JSON and as the text it was otherwise, with the filter passed on', async () => {
    const letter = (id: bigint, record: string): StoredDeadLetter => ({
      id,
      consumer: 'billing-usage',
      requestId: 'r',
      record,
      error: 'boom',
      createdAt: new Date('2026-01-01T00:00:00.000Z'),
    });
    const asked: unknown[] = [];
    const deadLetters: UsageDeadLetters = {
      store: () => Promise.resolve(0),
      page: (filter, limit, offset) => {
        asked.push([filter, limit, offset]);
        return Promise.resolve({ rows: [letter(2n, '{"model":"m"}'), letter(1n, 'not json')], total: 2 });
      },
    };
    const reply = await new UsageDeadLetterQueryService(deadLetters).list(DeadLetterListQuery.parse({ consumer: 'billing-usage', limit: '5' }));
    expect(asked).toEqual([[{ consumer: 'billing-usage', requestId: undefined }, 5, 0]]);
    expect(reply).toEqual({
      data: [
        { id: 2, consumer: 'billing-usage', requestId: 'r', record: { model: 'm' }, error: 'boom', createdAt: '2026-01-01T00:00:00.000Z' },
        { id: 1, consumer: 'billing-usage', requestId: 'r', record: 'not json', error: 'boom', createdAt: '2026-01-01T00:00:00.000Z' },
      ],
      total: 2,
    });
  });
});
