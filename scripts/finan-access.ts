/**
 * Start-up's one signed read against real Finan (`GET /api/v1/payouts`): it tells at once whether our credentials and
 * this machine's IP are accepted, instead of letting the first payouts fail. It never stops start-up (an outage of
 * Finan is not a configuration problem); it says what is wrong in one line.
 */
import { connect } from 'node:net';
import { isIP } from 'node:net';
import type { FinanClient } from '../providers/finan/client';
import { FinanError, FinanForbiddenError, FinanNetworkError, FinanTimeoutError, FinanUnauthorizedError } from '../providers/finan/errors';

export type FinanAccessProblem = 'credentials' | 'ip_whitelist' | 'unreachable' | 'unexpected';

export interface FinanAccess {
  ok: boolean;
  problem?: FinanAccessProblem;
  /** One line for the operator; never a secret. */
  line: string;
}

const WHITELIST_PLACE = 'book.finan.one → Setting → Open API';

export async function checkFinanAccess(finan: Pick<FinanClient, 'listPayouts'>, baseUrl: string): Promise<FinanAccess> {
  try {
    const listed = await finan.listPayouts();
    return { ok: true, line: `Finan accepted our credentials and this machine's IP (GET /api/v1/payouts: ${listed.data.length} payouts, request_id ${listed.requestId})` };
  } catch (err) {
    if (err instanceof FinanUnauthorizedError) {
      return {
        ok: false,
        problem: 'credentials',
        line: `Finan refused our credentials (${err.message}): check FINAN_CLIENT_ID and FINAN_SECRET_KEY against ${WHITELIST_PLACE}; every payout and payment request will fail until they match`,
      };
    }
    if (err instanceof FinanForbiddenError) {
      return { ok: false, problem: 'ip_whitelist', line: `Finan refused this machine's IP (${err.message}): ${await whitelistAdvice(baseUrl)}` };
    }
    if (err instanceof FinanNetworkError || err instanceof FinanTimeoutError) {
      return { ok: false, problem: 'unreachable', line: `Finan could not be reached at ${baseUrl} (${err.message}); flows will retry until it answers` };
    }
    if (err instanceof FinanError) return { ok: false, problem: 'unexpected', line: `Finan's answer to a signed read was not a success (${err.message})` };
    throw err;
  }
}

/** Which address to whitelist: the source address of a connection to Finan, or what to do when it is private. */
async function whitelistAdvice(baseUrl: string): Promise<string> {
  const local = await localAddressTowards(baseUrl);
  if (local === undefined) return `whitelist this machine's public outbound IP in ${WHITELIST_PLACE}`;
  if (isPrivate(local)) {
    return `this machine reaches Finan from ${local}, a private address: whitelist the public IP of its NAT or egress gateway in ${WHITELIST_PLACE}`;
  }
  return `whitelist ${local} in ${WHITELIST_PLACE}`;
}

/** The local address the OS picks for a TCP connection to Finan's host, or undefined if none can be opened in 5 s. */
function localAddressTowards(baseUrl: string): Promise<string | undefined> {
  const url = new URL(baseUrl);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (address: string | undefined) => {
      socket.destroy();
      resolve(address);
    };
    socket.setTimeout(5_000, () => done(undefined));
    socket.once('connect', () => done(socket.localAddress?.replace(/^::ffff:/i, '')));
    socket.once('error', () => done(undefined));
  });
}

function isPrivate(address: string): boolean {
  if (isIP(address) === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254);
  }
  const lower = address.toLowerCase();
  return lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('fe80');
}
