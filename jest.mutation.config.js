/**
 * The fast tests over the money-path files, for `npm run mutation`: Stryker runs them once per mutant, so only
 * tests that load a mutated file are here (unit, provider and codec tests). None starts a Temporal server.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

module.exports = {
  testEnvironment: base.testEnvironment,
  roots: ['<rootDir>/test'],
  testMatch: [
    '<rootDir>/test/unit/**/*.test.ts',
    '<rootDir>/test/providers/**/*.test.ts',
    '<rootDir>/test/security/aes-gcm-codec.test.ts',
    '<rootDir>/test/security/keys.test.ts',
  ],
  // These load none of the mutated files (config, request schemas, the HTTP transport, the layer check).
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/test/unit/dependency-rules.test.ts',
    '<rootDir>/test/unit/config.test.ts',
    '<rootDir>/test/unit/payout-request.test.ts',
    '<rootDir>/test/unit/payment-request-validation.test.ts',
    '<rootDir>/test/providers/finan-schemas.test.ts',
    '<rootDir>/test/providers/http.test.ts',
  ],
  transform: base.transform,
  transformIgnorePatterns: base.transformIgnorePatterns,
  setupFiles: base.setupFiles,
  testTimeout: 30_000,
};
