export { LogWriterModule } from './log-writer.module';
