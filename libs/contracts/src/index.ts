export * from './subjects';
export * from './auth.contracts';
export * from './admin.contracts';
export * from './admin';
export * from './router.contracts';
export * from './billing.contracts';
export * from './usage.contracts';
export * from './domain.error';
