import { isPlainUsageRecord } from '@switchboard/contracts';
import { UsageDraft } from './usage-record.builder';

describe('UsageDraft.build', () => {
  it('builds records the publish check accepts without the schema parse (its fast path)', () => {
    const draft = new UsageDraft('req_1', 'openai-chat', 'gpt-4o-mini', false, 0);
    expect(isPlainUsageRecord(draft.build(3.4))).toBe(true);
    draft.units = { images: 2, size: '1024x1024' } as never;
    draft.status = 200;
    draft.endpoint = 'images.generations';
    expect(isPlainUsageRecord(draft.build(3.4))).toBe(true);
  });
});
