import { runMain } from '@switchboard/runtime';
import { RouterModule } from './router.module';

runMain({ name: 'router', features: [RouterModule], database: true });
