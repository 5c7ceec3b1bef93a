/**
 * What the emulated SePay holds: the OAuth client it knows, authorization codes, access and refresh tokens (rotated
 * on every refresh), the test user's role, the company, the 3-requests-per-second limit and the counters tests read.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SepayConfig {
  clientId: string;
  clientSecret: string;
  /** The only redirect URI accepted, or null to accept any http(s) one. */
  redirectUri: string | null;
  /** SePay's limit: 3 requests per second per IP. */
  requestsPerSecond: number;
  /**
   * Where grants, the role and the company are kept across restarts of the sandbox (SePay outlives our processes:
   * a consent must survive `npm start` being stopped and started again). Null: memory only.
   */
  stateFile: string | null;
}

export const SEPAY_DEFAULTS: SepayConfig = {
  clientId: 'sandbox-sepay-client',
  clientSecret: 'sandbox-sepay-secret',
  redirectUri: null,
  requestsPerSecond: 3,
  stateFile: null,
};

/** Lifetimes from SePay's OAuth docs (reference/providers.md): code 5 minutes, access token 1 hour, refresh token 1 month. */
export const CODE_TTL_MS = 5 * 60_000;
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;
export const KNOWN_SCOPES = ['company', 'bank-account:read', 'transaction:read', 'webhook:read', 'webhook:write', 'webhook:delete', 'profile'];

interface Grant {
  scopes: string[];
  expiresAt: number;
}

interface CodeGrant extends Grant {
  redirectUri: string;
}

interface RefreshGrant extends Grant {
  /** Rotated away by a refresh: using it again is a reuse, refused and counted. */
  rotated: boolean;
  revoked: boolean;
}

export interface SandboxPaymentCodeFormat {
  prefix: string;
  suffix_from: number;
  suffix_to: number;
  character_type: 'NumberOnly' | 'NumberAndLetter';
  is_active: boolean;
}

export interface SepayStats {
  requests: number;
  rateLimited: number;
  refreshes: number;
  refreshTokenReuses: number;
}

/** The company of the page's example answer. */
function exampleCompany() {
  return {
    id: 123,
    full_name: 'Công ty TNHH Một Thành Viên ABC',
    short_name: 'ABC Corp',
    status: 'active',
    subscription: 'Premium',
    begin_date: '2023-01-01',
    end_date: '2023-12-31',
    configurations: {
      bank_sub_account: true,
      paycode: true,
      data_storage_time: '90',
      payment_code_formats: [
        { prefix: 'DH', suffix_from: 6, suffix_to: 8, character_type: 'NumberOnly', is_active: true },
        { prefix: 'HD', suffix_from: 4, suffix_to: 6, character_type: 'NumberAndLetter', is_active: true },
      ] as SandboxPaymentCodeFormat[],
    },
  };
}

export type SandboxCompany = ReturnType<typeof exampleCompany>;

export class SepayState {
  role = 'Admin';
  company: SandboxCompany = exampleCompany();
  stats: SepayStats = { requests: 0, rateLimited: 0, refreshes: 0, refreshTokenReuses: 0 };
  private readonly codes = new Map<string, CodeGrant>();
  private readonly accessTokens = new Map<string, Grant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly signingKey = randomBytes(32);

  constructor(
    readonly config: SepayConfig,
    private readonly now: () => number = Date.now,
  ) {
    if (config.stateFile && existsSync(config.stateFile)) this.load(config.stateFile);
  }

  reset(): void {
    this.role = 'Admin';
    this.company = exampleCompany();
    this.stats = { requests: 0, rateLimited: 0, refreshes: 0, refreshTokenReuses: 0 };
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.buckets.clear();
    this.save();
  }

  setRole(role: string): void {
    this.role = role;
    this.save();
  }

  setPaymentCodeFormats(formats: SandboxPaymentCodeFormat[]): void {
    this.company.configurations.payment_code_formats = formats;
    this.save();
  }

  /** Written whole, then renamed over the old file: a crash leaves the old state or the new, never half. */
  private save(): void {
    const file = this.config.stateFile;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    const state = { role: this.role, company: this.company, stats: this.stats, accessTokens: [...this.accessTokens], refreshTokens: [...this.refreshTokens] };
    writeFileSync(`${file}.tmp`, JSON.stringify(state), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  private load(file: string): void {
    const state = JSON.parse(readFileSync(file, 'utf8')) as {
      role: string;
      company: SandboxCompany;
      stats: SepayStats;
      accessTokens: [string, Grant][];
      refreshTokens: [string, RefreshGrant][];
    };
    this.role = state.role;
    this.company = state.company;
    this.stats = state.stats;
    for (const [token, grant] of state.accessTokens) this.accessTokens.set(token, grant);
    for (const [token, grant] of state.refreshTokens) this.refreshTokens.set(token, grant);
  }

  /**
   * One request of `client` against the limit: a bucket of `requestsPerSecond` tokens refilled at that rate.
   * Answers 0 when the request may pass, else the seconds to wait (for `Retry-After`).
   */
  admit(client: string): { retryAfterSeconds: number; remaining: number } {
    this.stats.requests += 1;
    const rate = this.config.requestsPerSecond;
    const now = this.now();
    const bucket = this.buckets.get(client) ?? { tokens: rate, at: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { retryAfterSeconds: 0, remaining: Math.floor(bucket.tokens) };
    }
    this.stats.rateLimited += 1;
    return { retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate)), remaining: 0 };
  }

  issueCode(redirectUri: string, scopes: string[]): string {
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { redirectUri, scopes, expiresAt: this.now() + CODE_TTL_MS });
    return code;
  }

  /** Single use: a code is gone once presented, whatever the outcome. */
  takeCode(code: string): CodeGrant | undefined {
    const grant = this.codes.get(code);
    this.codes.delete(code);
    return grant && grant.expiresAt > this.now() ? grant : undefined;
  }

  issueTokens(scopes: string[]): { access_token: string; refresh_token: string; expires_in: number; scope: string } {
    const now = this.now();
    const accessToken = this.jwt({ scope: scopes.join(' '), exp: Math.floor(now / 1000) + ACCESS_TOKEN_TTL_SECONDS });
    const refreshToken = randomBytes(32).toString('base64url');
    this.accessTokens.set(accessToken, { scopes, expiresAt: now + ACCESS_TOKEN_TTL_SECONDS * 1000 });
    this.refreshTokens.set(refreshToken, { scopes, expiresAt: now + REFRESH_TOKEN_TTL_MS, rotated: false, revoked: false });
    this.save();
    return { access_token: accessToken, refresh_token: refreshToken, expires_in: ACCESS_TOKEN_TTL_SECONDS, scope: scopes.join(' ') };
  }

  /** Rotates: the presented refresh token stops working, a new pair is issued. A reused one is refused and counted. */
  refresh(refreshToken: string): ReturnType<SepayState['issueTokens']> | 'reused' | 'invalid' {
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant) return 'invalid';
    if (grant.rotated) {
      this.stats.refreshTokenReuses += 1;
      this.save();
      return 'reused';
    }
    if (grant.revoked || grant.expiresAt <= this.now()) return 'invalid';
    grant.rotated = true;
    this.stats.refreshes += 1;
    return this.issueTokens(grant.scopes);
  }

  accessGrant(accessToken: string): Grant | undefined {
    const grant = this.accessTokens.get(accessToken);
    return grant && grant.expiresAt > this.now() ? grant : undefined;
  }

  /** Control: every access token expires now. */
  expireAccessTokens(): number {
    const now = this.now();
    for (const grant of this.accessTokens.values()) grant.expiresAt = Math.min(grant.expiresAt, now);
    this.save();
    return this.accessTokens.size;
  }

  /** Control: the user removed the app's access; every refresh token stops working. */
  revokeRefreshTokens(): number {
    for (const grant of this.refreshTokens.values()) grant.revoked = true;
    this.save();
    return this.refreshTokens.size;
  }

  private jwt(claims: Record<string, unknown>): string {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: 'sandbox-user', jti: randomBytes(8).toString('hex'), ...claims })}`;
    return `${unsigned}.${createHmac('sha256', this.signingKey).update(unsigned).digest('base64url')}`;
  }
}
