/**
 * `npx dongflow ...`: the operator's command line. It talks to Temporal with the same configuration and key ring as
 * the stack, so it reads decoded state.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFor } from '../codec/data-converter';
import { generateKey, loadOrCreateLocalKeyRing } from '../codec/keys';
import { ConfigError, loadConfig, sepayBaseUrlOf } from '../config/env';
import { temporalConnectionOptions } from '../config/temporal';
import { ALL_SEARCH_ATTRIBUTES, searchAttributes } from '../workflows/common/search-attributes';
import { DongflowError } from './errors';
import { generateApiKey } from './gateway/api-keys';
import { createPaymentsClient } from './payments';
import { createPayoutsClient } from './payouts';
import { SepayClient } from '../providers/sepay/client';
import { createSepayConnectionClient } from './sepay';
import { setUpNamespace } from './setup';

const USAGE = `Usage: npx dongflow <command> [options]

Flows
  list [--kind payout|payment|invoice|reconciliation|einvoice-account|customer] [--status S] [--reference R] [--limit N]
                                   flows, newest first, from Temporal's visibility
  show <workflowId>                one flow's current state (decoded): payouts, payment requests, invoices,
                                   reconciliation runs, the unmatched-payments inbox
  otp <referenceId> <code>         submit a payout's OTP
  cancel <referenceId>             cancel a payout still waiting for its OTP
  reconcile                        run a payment reconciliation now and print its findings
  unmatched                        the operators' inbox of payments that matched no running flow
  resolve <paymentId> <what was done...>
                                   close an unmatched payment, saying what was done (refund, credit, linked)

SePay
  sepay authorize                  the URL a SePay Admin opens once to connect the company (consent)
  sepay connection                 the SePay connection's state (never a token)

Set-up
  setup                            register dongflow's search attributes in the namespace (once per cluster; the
                                   embedded dev server does it at every start, other start-ups only check them)
  api-key                          a new API key for a backend, and its DONGFLOW_API_KEYS entry
  encryption-key [id]              a new DONGFLOW_ENCRYPTION_KEYS entry

Reads the same environment as npm start (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, DONGFLOW_ENCRYPTION_KEYS, ...).`;

function visibilityQuery(opts: { kind?: string; status?: string; reference?: string }): string {
  const quote = (v: string) => `'${v.replace(/'/g, "\\'")}'`;
  const clauses = [
    opts.kind ? `${searchAttributes.kind.name} = ${quote(opts.kind)}` : `${searchAttributes.kind.name} IS NOT NULL`,
    opts.status ? `${searchAttributes.status.name} = ${quote(opts.status)}` : undefined,
    opts.reference ? `${searchAttributes.reference.name} = ${quote(opts.reference)}` : undefined,
  ];
  return clauses.filter(Boolean).join(' AND ');
}

async function connect() {
  const config = loadConfig();
  const keyRing = config.security.encryptionKeys ?? loadOrCreateLocalKeyRing(resolve(config.dataDir));
  const connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: 5_000 });
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(keyRing) });
  return { client, connection };
}

export async function runCli(argv: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { kind: { type: 'string' }, status: { type: 'string' }, reference: { type: 'string' }, limit: { type: 'string', default: '20' }, help: { type: 'boolean' } },
  });
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    out(USAGE);
    // Asked for (`--help`, `help <anything>`) is a success; no command at all is a usage error.
    return values.help ? 0 : 2;
  }
  if (command === 'help') {
    out(USAGE);
    return 0;
  }
  if (command === 'api-key') {
    const { key, sha256 } = generateApiKey();
    out(`API key (give it to the backend; it is not stored anywhere): ${key}`);
    out(`DONGFLOW_API_KEYS entry: ${JSON.stringify({ name: 'my-backend', sha256, scopes: ['read', 'payouts:write', 'payments:write'] })}`);
    return 0;
  }
  if (command === 'encryption-key') {
    out(generateKey(rest[0]));
    return 0;
  }

  const { client, connection } = await connect();
  try {
    const payouts = createPayoutsClient(client);
    switch (command) {
      case 'setup': {
        await setUpNamespace(connection, loadConfig().temporal.namespace);
        out(`Search attributes registered: ${ALL_SEARCH_ATTRIBUTES.map((key) => `${key.name} (${key.type})`).join(', ')}`);
        return 0;
      }
      case 'list': {
        const limit = Number(values.limit);
        const rows: string[] = [];
        for await (const wf of client.workflow.list({ query: visibilityQuery(values) })) {
          const sa = wf.typedSearchAttributes;
          rows.push(
            [
              wf.workflowId.padEnd(36),
              String(sa.get(searchAttributes.kind) ?? '').padEnd(8),
              String(sa.get(searchAttributes.status) ?? '').padEnd(16),
              String(sa.get(searchAttributes.amount) ?? '').padStart(14),
              wf.startTime.toISOString(),
            ].join('  '),
          );
          if (rows.length >= limit) break;
        }
        out(['WORKFLOW ID'.padEnd(36), 'KIND'.padEnd(8), 'STATUS'.padEnd(16), 'AMOUNT'.padStart(14), 'STARTED'].join('  '));
        rows.forEach(out);
        return 0;
      }
      case 'show': {
        if (!rest[0]) throw new DongflowUsageError('show needs a workflow id, e.g. payout-PAYOUT-001');
        const state = await client.workflow.getHandle(rest[0]).query<unknown>('status');
        out(JSON.stringify(state, null, 2));
        return 0;
      }
      case 'otp': {
        if (!rest[0] || !rest[1]) throw new DongflowUsageError('otp needs a reference and the 6-digit code');
        out(JSON.stringify(await payouts.submitOtp(rest[0], rest[1])));
        return 0;
      }
      case 'cancel': {
        if (!rest[0]) throw new DongflowUsageError('cancel needs a reference');
        const state = await payouts.cancelPayout(rest[0]);
        out(JSON.stringify({ referenceId: state.referenceId, status: state.status }));
        return 0;
      }
      case 'sepay': {
        const config = loadConfig();
        const provider = new SepayClient({ ...config.sepay, baseUrl: sepayBaseUrlOf(config) });
        const sepay = createSepayConnectionClient(client, {
          authorizeUrl: (state) => provider.authorizeUrl(state, config.sepay.scopes),
          credentials: { refreshAheadMs: config.sepay.refreshAheadMs },
        });
        if (rest[0] === 'authorize') {
          const { url, expiresAt } = await sepay.authorize();
          out('Open this URL as a SePay Admin or SuperAdmin of the company (once; it expires at ' + expiresAt + '):');
          out(url);
          return 0;
        }
        if (rest[0] === 'connection') {
          out(JSON.stringify(await sepay.connection(), null, 2));
          return 0;
        }
        throw new DongflowUsageError('sepay needs a subcommand: authorize or connection');
      }
      case 'reconcile': {
        // The Schedule's own run, triggered now; its findings also stay visible in the Temporal UI.
        out(JSON.stringify(await createPaymentsClient(client).reconcileNow(), null, 2));
        return 0;
      }
      case 'unmatched': {
        out(JSON.stringify(await createPaymentsClient(client).getUnmatchedPayments(), null, 2));
        return 0;
      }
      case 'resolve': {
        const [paymentId, ...words] = rest;
        if (!paymentId || words.length === 0) throw new DongflowUsageError('resolve needs a payment id and what was done, e.g. resolve PAY-123 refunded, ticket 812');
        const entry = await createPaymentsClient(client).resolveUnmatchedPayment(paymentId, { resolution: words.join(' ') });
        out(JSON.stringify({ paymentId: entry.paymentId, amount: entry.amount, confirmed: entry.confirmed, resolution: entry.resolution }));
        return 0;
      }
      default:
        throw new DongflowUsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } finally {
    await connection.close();
  }
}

class DongflowUsageError extends Error {}

if (require.main === module) {
  runCli(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      const message =
        err instanceof DongflowError ? `${err.code}: ${err.message}` : err instanceof ConfigError || err instanceof DongflowUsageError ? err.message : String((err as Error).message ?? err);
      process.stderr.write(`dongflow: ${message}\n`);
      process.exit(err instanceof DongflowUsageError ? 2 : 1);
    });
}
