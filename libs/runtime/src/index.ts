export * from './bootstrap';
export * from './heap-growth';
export * from './run-main';
export * from './signals';
export * from './service-root.module';
