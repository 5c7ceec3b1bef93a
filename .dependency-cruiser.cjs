/**
 * dongflow's layers, checked by dependency-cruiser in `npm test` (`npm run deps`), and broken on purpose in
 * test/unit/dependency-rules.test.ts to prove each rule bites. Paths are relative to the repository root.
 *
 *   config ◀── providers ◀── activities ◀── workers ──▶ client (library, gateway, CLI)
 *     ▲          ▲ rules.ts only          ▲ types only      │
 *   codec      workflows (deterministic) ◀───────────────────┘ messages and rules
 *   sandbox: stands alone (the stand-in for the providers must not inherit their bugs)
 */
const OURS = '^(workflows|activities|providers|workers|client|codec|config|sandbox|scripts|bench)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circles, type-only imports included: a circle means two modules are one.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'workflows-deterministic',
      comment:
        'Workflows are replayed: at run time they import only @temporalio/workflow (and common), other workflow modules, and a provider\'s import-free rules.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: {
        pathNot: ['^workflows/', '(^|/)node_modules/@temporalio/(workflow|common)/', '^providers/[^/]+/rules\\.ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'workflows-types-from-activities-only',
      comment: 'Beyond that, a workflow may know activities by their types (proxyActivities<typeof ...>), nothing else of ours.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: OURS, pathNot: ['^workflows/', '^activities/', '^providers/[^/]+/rules\\.ts$'] },
    },
    {
      name: 'messages-without-workflow-code',
      comment: 'A client imports a flow\'s messages without pulling in its workflow: messages import only messages and common.',
      severity: 'error',
      from: { path: '^workflows/[^/]+/messages\\.ts$' },
      to: { path: '^workflows/', pathNot: ['^workflows/[^/]+/messages\\.ts$', '^workflows/common/'] },
    },
    {
      name: 'rules-are-pure',
      comment: 'A flow\'s rules are pure functions: no Temporal, no workflow code, unit-tested directly.',
      severity: 'error',
      from: { path: '^workflows/[^/]+/rules\\.ts$' },
      to: { path: ['(^|/)node_modules/@temporalio/', '^workflows/[^/]+/(workflow|activities)\\.ts$', '^workflows/common/failure-info\\.ts$'] },
    },
    {
      name: 'activities-below-client',
      comment: 'Activities call providers (and are given what else they need); they never import the client, the gateway or workers.',
      severity: 'error',
      from: { path: '^activities/' },
      to: { path: '^(client|workers|scripts|sandbox|bench)/' },
    },
    {
      name: 'activities-not-workflow-code',
      comment: 'Activities share the flows\' messages and pure rules, never their workflow code.',
      severity: 'error',
      from: { path: '^activities/' },
      to: { path: '^workflows/([^/]+/(workflow|activities)|index)\\.ts$' },
    },
    {
      name: 'providers-at-the-bottom',
      comment: 'Providers import nothing of ours but config/ types.',
      severity: 'error',
      from: { path: '^providers/' },
      to: { path: OURS, pathNot: ['^providers/', '^config/'] },
    },
    {
      name: 'providers-config-types-only',
      comment: 'Providers take their configuration as values; only its types may be imported.',
      severity: 'error',
      from: { path: '^providers/' },
      to: { path: '^config/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'provider-rules-import-nothing',
      comment: 'A provider\'s rules.ts is shared with workflows: it must stay plain code with no imports at all.',
      severity: 'error',
      from: { path: '^providers/[^/]+/rules\\.ts$' },
      to: {},
    },
    {
      name: 'config-at-the-bottom',
      comment: 'config/ imports nothing above it.',
      severity: 'error',
      from: { path: '^config/' },
      to: { path: OURS, pathNot: '^config/' },
    },
    {
      name: 'codec-over-config-only',
      comment: 'The payload codec stands on config/ alone.',
      severity: 'error',
      from: { path: '^codec/' },
      to: { path: OURS, pathNot: ['^codec/', '^config/'] },
    },
    {
      name: 'sandbox-shares-nothing',
      comment: 'The sandbox is written from the provider pages, apart from providers/: it must not inherit their bugs.',
      severity: 'error',
      from: { path: '^sandbox/' },
      to: { path: OURS, pathNot: '^sandbox/' },
    },
    {
      name: 'nothing-runs-on-the-sandbox',
      comment: 'Only tests, scripts and benchmarks start the sandbox.',
      severity: 'error',
      from: { path: '^(workflows|activities|providers|workers|client|codec|config)/' },
      to: { path: '^sandbox/' },
    },
    {
      name: 'client-below-scripts',
      comment: 'The client library, gateway and CLI never import workers, scripts or the sandbox.',
      severity: 'error',
      from: { path: '^client/' },
      to: { path: '^(workers|scripts|bench)/' },
    },
    {
      name: 'client-activities-types-only',
      comment: 'The client implements interfaces activities declare (PaymentFlowLookups); it never runs activity code.',
      severity: 'error',
      from: { path: '^client/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workers-not-gateway',
      comment: 'Workers wire activities and workflows; the HTTP gateway is another process.',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: '^(client/gateway|scripts|bench)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.tools|\\.data|test/histories)/' },
    // Type-only imports count: the import circle this check was made for ran through them.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
