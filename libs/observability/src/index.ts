export * from './metrics';
export * from './health.controller';
export * from './drain';
