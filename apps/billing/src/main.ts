import { runMain } from '@switchboard/runtime';
import { BillingModule } from './billing.module';

runMain({ name: 'billing', features: [BillingModule], database: true });
