import { ENDPOINT_FAMILIES } from '@switchboard/contracts';
import { CHANNEL_TYPES, defaultBaseUrl, reportsBalance } from '@switchboard/providers';
import { CHANNEL_TYPE_OPTIONS, ENDPOINT_FAMILY_OPTIONS, TYPES_NEEDING_BASE_URL, TYPES_WITH_BALANCE } from './channel-types';

describe('channel types offered by the console', () => {
  it('are exactly the types the router accepts', () => {
    expect([...CHANNEL_TYPE_OPTIONS].sort()).toEqual([...CHANNEL_TYPES].sort());
  });
  it('know which types have no default base URL', () => {
    expect(CHANNEL_TYPE_OPTIONS.filter((t) => !defaultBaseUrl(t))).toEqual(TYPES_NEEDING_BASE_URL);
  });
  it('know which types report a balance', () => {
    expect(CHANNEL_TYPE_OPTIONS.filter((t) => reportsBalance(t))).toEqual(TYPES_WITH_BALANCE);
  });
  it('offer exactly the endpoint families a channel may declare', () => {
    expect([...ENDPOINT_FAMILY_OPTIONS].sort()).toEqual([...ENDPOINT_FAMILIES].sort());
  });
});
