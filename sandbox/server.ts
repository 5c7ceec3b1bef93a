import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { resolveSandboxConfig } from './config';
import type { SandboxConfig, SandboxOptions } from './config';
import { controlRoutes } from './control-routes';
import { finanApi } from './finan/plugin';
import { FINAN_PREFIX } from './finan/request';
import { sepayApi, SEPAY_PREFIX } from './sepay/plugin';
import { SandboxState } from './state';
import { tingeeApi, TINGEE_PREFIX } from './tingee/plugin';

export type { SandboxOptions } from './config';
export { FINAN_LOW_BALANCE_ACCOUNT_ID, FINAN_SOURCE_ACCOUNT_ID } from './finan/accounts';
export { FAILING_BENEFICIARY_ACCOUNT_NUMBER, STUCK_BENEFICIARY_ACCOUNT_NUMBER } from './finan/payouts';

export interface RunningSandbox {
  /** e.g. `http://127.0.0.1:4010` */
  url: string;
  /** `${url}/finan/open`; a client appends `/api/v1/payouts`. */
  finanBaseUrl: string;
  /** `${url}/tingee`; a client appends `/v1/e-invoice/...`. */
  tingeeBaseUrl: string;
  /** `${url}/sepay`; a client appends `/oauth/token` or `/api/v1/company`. */
  sepayBaseUrl: string;
  close(): Promise<void>;
}

export const DEFAULT_SANDBOX_PORT = 4010;
export const DEFAULT_SANDBOX_HOST = '127.0.0.1';

/** Builds the sandbox application without listening (for `inject` or a custom listener). */
export function buildSandbox(
  config: SandboxConfig,
  logger: SandboxOptions['logger'] = false,
): { app: FastifyInstance; state: SandboxState } {
  const state = new SandboxState(config);
  const app = Fastify({
    logger,
    // A fresh id per request, never taken from the caller: it is the envelope's `request_id`.
    genReqId: () => randomBytes(16).toString('hex'),
    requestIdHeader: false,
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onClose', async () => state.shutdown());
  void app.register(finanApi, { prefix: FINAN_PREFIX, state });
  void app.register(tingeeApi, { prefix: TINGEE_PREFIX, state });
  void app.register(sepayApi, { prefix: SEPAY_PREFIX, sepay: state.sepay, faults: state.faults, scheduler: state.scheduler });
  void app.register(controlRoutes, { prefix: '/_sandbox', state });
  return { app, state };
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Starts the provider sandbox; port 0 picks a free port (tests). */
export async function startSandbox(
  opts: SandboxOptions & { port?: number; host?: string } = {},
): Promise<RunningSandbox> {
  const { app } = buildSandbox(resolveSandboxConfig(opts), opts.logger);
  try {
    await app.listen({ port: opts.port ?? DEFAULT_SANDBOX_PORT, host: opts.host ?? DEFAULT_SANDBOX_HOST });
  } catch (error) {
    await app.close();
    throw error;
  }
  const url = urlOf(app.server.address() as AddressInfo);
  return {
    url,
    finanBaseUrl: `${url}${FINAN_PREFIX}`,
    tingeeBaseUrl: `${url}${TINGEE_PREFIX}`,
    sepayBaseUrl: `${url}${SEPAY_PREFIX}`,
    close: async () => {
      await app.close();
    },
  };
}
