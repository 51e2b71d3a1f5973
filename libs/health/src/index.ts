export * from './health.types';
export * from './memory-health.store';
export * from './redis-health.store';
export * from './health-store.factory';
export * from './ban-policy';
export * from './remote-health.store';
