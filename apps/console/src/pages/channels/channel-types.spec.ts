import { ENDPOINT_FAMILIES } from '@switchboard/contracts';
import { CHANNEL_TYPES, channelConfigProblem, defaultBaseUrl, reportsBalance } from '@switchboard/providers';
import {
  CHANNEL_CONFIG_FIELDS,
  CHANNEL_KEY_SHAPES,
  CHANNEL_TYPE_OPTIONS,
  ENDPOINT_FAMILY_OPTIONS,
  TYPES_NEEDING_BASE_URL,
  TYPES_WITH_BALANCE,
} from './channel-types';

describe('channel types offered by the console', () => {
  it('are exactly the types the router accepts', () => {
    expect([...CHANNEL_TYPE_OPTIONS].sort()).toEqual([...CHANNEL_TYPES].sort());
  });
  it("know which types have no default base URL (a type whose required settings give one, bedrock's region, has one)", () => {
    const settings = (t: string) => Object.fromEntries((CHANNEL_CONFIG_FIELDS[t] ?? []).filter((f) => f.required).map((f) => [f.name, f.placeholder]));
    expect(CHANNEL_TYPE_OPTIONS.filter((t) => !defaultBaseUrl(t, settings(t)))).toEqual(TYPES_NEEDING_BASE_URL);
  });
  it('know which types report a balance', () => {
    expect(CHANNEL_TYPE_OPTIONS.filter((t) => reportsBalance(t))).toEqual(TYPES_WITH_BALANCE);
  });
  it('describe the key shapes of known types only', () => {
    expect(Object.keys(CHANNEL_KEY_SHAPES).filter((t) => !CHANNEL_TYPE_OPTIONS.includes(t))).toEqual([]);
  });
  it('offer exactly the endpoint families a channel may declare', () => {
    expect([...ENDPOINT_FAMILY_OPTIONS].sort()).toEqual([...ENDPOINT_FAMILIES].sort());
  });
  it('ask only for settings the provider accepts, with an example it accepts', () => {
    for (const [type, fields] of Object.entries(CHANNEL_CONFIG_FIELDS)) {
      // the examples together (a type may need several settings at once: vertex's project and location)
      const all = Object.fromEntries(fields.map((f) => [f.name, f.placeholder]));
      expect([type, channelConfigProblem(type, all)]).toEqual([type, null]);
      // and each optional one alone over the required ones
      const required = Object.fromEntries(fields.filter((f) => f.required).map((f) => [f.name, f.placeholder]));
      for (const f of fields) expect([type, f.name, channelConfigProblem(type, { ...required, [f.name]: f.placeholder })]).toEqual([type, f.name, null]);
    }
    expect(channelConfigProblem('azure', { apiVersion: 'not-a-version' })?.field).toBe('apiVersion');
  });
});
