export * from './admin-route';
export * from './admin-routes';
export * from './admin-answers.schemas';
export * from './auth-admin.schemas';
export * from './router-admin.schemas';
export * from './plugin-admin.schemas';
export * from './billing-admin.schemas';
export * from './logs-admin.schemas';
