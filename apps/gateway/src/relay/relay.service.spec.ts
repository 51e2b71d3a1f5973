jest.mock('@switchboard/protocols', () => ({ ...jest.requireActual('@switchboard/protocols'), loadTokenizer: jest.fn() }));

import { loadTokenizer } from '@switchboard/protocols';
import { RelayService } from './relay.service';

describe('RelayService start-up', () => {
  it('loads the tokenizer before the gateway serves (not on the event loop of the first request that counts)', () => {
    const relay = Object.create(RelayService.prototype) as RelayService;
    relay.onModuleInit();
    expect(loadTokenizer).toHaveBeenCalledTimes(1);
  });
});
