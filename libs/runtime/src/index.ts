export * from './bootstrap';
export * from './service-root.module';
