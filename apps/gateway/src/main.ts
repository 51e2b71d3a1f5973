import { runMain } from '@switchboard/runtime';
import { gatewayService } from './gateway.definition';

runMain(gatewayService);
