/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // ES-modules-only packages, turned into CommonJS for jest: cookie@2 (fastify's inject()) and content-disposition@3
  // (@fastify/static, under the gateway's API reference page).
  transformIgnorePatterns: ['/node_modules/(?!cookie/|content-disposition/)'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  setupFiles: ['<rootDir>/test/setup-runtime.ts'],
  testTimeout: 120_000,
  // Each end-to-end file runs its own Temporal dev server; two at once fit a 2-core machine.
  maxWorkers: 2,
};
