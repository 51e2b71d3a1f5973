import { runMain } from '@switchboard/runtime';
import { AuthModule } from './auth.module';

runMain({ name: 'auth', features: [AuthModule], database: true });
