#!/usr/bin/env node
// `npx dongflow`: runs the TypeScript CLI through tsx, with no build step.
require('tsx/cjs');
const { runCli } = require('../client/cli.ts');

runCli(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((err) => {
    process.stderr.write(`dongflow: ${err && err.message ? err.message : String(err)}\n`);
    process.exit(1);
  });
