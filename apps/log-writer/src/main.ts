import { runMain } from '@switchboard/runtime';
import { LogWriterModule } from './log-writer.module';

runMain({ name: 'log-writer', features: [LogWriterModule], database: true });
