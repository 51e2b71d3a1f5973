export * from './api-key';
export * from './ip-allow-list';
export * from './secret-box';
export * from './json-schema';
