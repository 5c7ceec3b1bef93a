/**
 * Mutation testing of the money paths (`npm run mutation`, not part of `npm test`). Globs are written to keep
 * matching when files move into per-flow folders.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { configFile: 'jest.mutation.config.js', enableFindRelatedTests: false },
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    // Payout, payment-request, invoice and reconciliation rules; the failure taxonomy and the failure a flow reports.
    'workflows/**/*rules*.ts',
    'workflows/**/failure*.ts',
    // Finan activities: create/adopt (mostAdvanced), verify OTP, poll, payment requests, toActivityFailure.
    'activities/**/finan/**/*.ts',
    'activities/**/finan*.ts',
    // Signer, webhook verification, and Finan's OTP and text rules.
    'providers/**/finan/**/{sign,webhook,rules}.ts',
    // VietQR.
    'providers/**/vietqr/**/*.ts',
    // Payload codec and its keys.
    'codec/**/aes-gcm-codec.ts',
    'codec/**/keys.ts',
  ],
  // Module-level constants (failure-type table, bank list, defaults) would each need a fresh jest and every test.
  ignoreStatic: true,
  incremental: true,
  // The incremental cache sits beside the report (git-ignored): one machine's results, rewritten on every run.
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: 80 },
  concurrency: 2,
  timeoutMS: 10_000,
  tempDirName: '.stryker-tmp',
  // The Temporal binaries and local data are not needed by the unit tests; don't copy 250 MB per sandbox.
  ignorePatterns: ['/.tools', '/.data', '/coverage'],
  cleanTempDir: 'always',
};
