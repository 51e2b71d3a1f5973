import { CHANNEL_TYPES, defaultBaseUrl } from '@switchboard/providers';
import { CHANNEL_TYPE_OPTIONS, TYPES_NEEDING_BASE_URL } from './channel-types';

describe('channel types offered by the console', () => {
  it('are exactly the types the router accepts', () => {
    expect([...CHANNEL_TYPE_OPTIONS].sort()).toEqual([...CHANNEL_TYPES].sort());
  });
  it('know which types have no default base URL', () => {
    expect(CHANNEL_TYPE_OPTIONS.filter((t) => !defaultBaseUrl(t))).toEqual(TYPES_NEEDING_BASE_URL);
  });
});
