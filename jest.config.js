const { swcOptions, jestModuleNameMapper } = require('./scripts/swc-config.cjs');

const common = {
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcOptions({ sourceMaps: 'inline' }), swcrc: false }] },
  moduleNameMapper: jestModuleNameMapper(),
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/support/jest.setup.ts'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/apps', '<rootDir>/libs'], testMatch: ['**/*.spec.ts'] },
    { ...common, displayName: 'int', roots: ['<rootDir>/test/int'], testMatch: ['**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', roots: ['<rootDir>/test/e2e'], testMatch: ['**/*.e2e-spec.ts'] },
    // Restarts the shared Postgres and NATS: scripts/test.mjs runs it alone (--runInBand), after the other projects.
    { ...common, displayName: 'chaos', roots: ['<rootDir>/test/chaos'], testMatch: ['**/*.chaos-spec.ts'] },
  ],
};
