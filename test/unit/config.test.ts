import { ConfigError, gatewayProblems, isLoopbackHost, loadConfig } from '../../config/env';

/** The ConfigError `loadConfig` throws for this environment; fails the test if it throws nothing or something else. */
function configErrorFor(env: NodeJS.ProcessEnv): ConfigError {
  let thrown: unknown;
  expect(() => {
    try {
      loadConfig(env);
    } catch (err) {
      thrown = err;
      throw err;
    }
  }).toThrow(ConfigError);
  return thrown as ConfigError;
}

describe('configuration', () => {
  it('runs on embedded defaults with no variables at all', () => {
    const config = loadConfig({});
    expect(config.temporal.address).toBeUndefined();
    expect(config.finan.baseUrl).toBeUndefined();
    expect(config.gateway).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.sandbox).toEqual({ host: '127.0.0.1', port: 4010 });
    expect(config.temporal.embedded).toEqual({ port: 7233, uiPort: 8233 });
    expect(config.codec).toEqual({ host: '127.0.0.1', port: 8234 });
    expect(config.payout).toEqual({ otpTimeoutMs: 600_000, pollHorizonMs: 86_400_000, createWindowMs: 600_000 });
  });

  it('reads durations in words or milliseconds', () => {
    expect(loadConfig({ DONGFLOW_OTP_TIMEOUT: '5 minutes', DONGFLOW_PAYOUT_POLL_HORIZON: '3600000', DONGFLOW_PAYOUT_CREATE_WINDOW: '90 seconds' }).payout).toEqual({
      otpTimeoutMs: 300_000,
      pollHorizonMs: 3_600_000,
      createWindowMs: 90_000,
    });
  });

  it('reports every bad or missing variable at once, one line each', () => {
    const error = configErrorFor({ GATEWAY_PORT: '70000', FINAN_BASE_URL: 'https://api.finan.one/open', DONGFLOW_OTP_TIMEOUT: 'soon', TEMPORAL_ADDRESS: 'no-port' });
    expect(error.problems).toEqual(
      expect.arrayContaining([
        'GATEWAY_PORT must be a port number between 1 and 65535',
        'DONGFLOW_OTP_TIMEOUT must be a duration such as "10 minutes", "30s" or milliseconds (got "soon")',
        'TEMPORAL_ADDRESS must be host:port, e.g. my-namespace.tmprl.cloud:7233',
        'FINAN_CLIENT_ID is required when FINAN_BASE_URL is set',
        'FINAN_SECRET_KEY is required when FINAN_BASE_URL is set',
        'DONGFLOW_ENCRYPTION_KEYS is required when TEMPORAL_ADDRESS is set (e.g. k1:<32 random bytes, base64>)',
      ]),
    );
    expect(error.problems).toHaveLength(6);
  });

  it('uses real Finan credentials when FINAN_BASE_URL is set, and never prints the secret in errors', () => {
    const config = loadConfig({ FINAN_BASE_URL: 'https://api.finan.one/open', FINAN_CLIENT_ID: 'cid', FINAN_SECRET_KEY: 's3cr3t', FINAN_WEBHOOK_SECRETS: 'whsec' });
    expect(config.finan).toMatchObject({ baseUrl: 'https://api.finan.one/open', clientId: 'cid', secretKey: 's3cr3t', webhookSecrets: ['whsec'] });
    const error = configErrorFor({ FINAN_BASE_URL: 'not a url', FINAN_SECRET_KEY: 's3cr3t' });
    expect(error.problems).toEqual(['FINAN_BASE_URL must be a URL such as https://api.finan.one/open', 'FINAN_CLIENT_ID is required when FINAN_BASE_URL is set']);
    expect(error.message).not.toContain('s3cr3t');
  });

  it('plays Tingee with the sandbox by default, and needs the client id and secret key for real Tingee', () => {
    expect(loadConfig({}).tingee).toEqual({ baseUrl: undefined, clientId: 'sandbox-tingee-client', secretKey: 'sandbox-tingee-secret', timeoutMs: 15_000, maxRequestsPerSecond: 5 });
    expect(loadConfig({ TINGEE_CLIENT_ID: 'mine', TINGEE_SECRET_KEY: 'k' }).tingee).toMatchObject({ baseUrl: undefined, clientId: 'mine', secretKey: 'k' });
    const real = loadConfig({ TINGEE_BASE_URL: 'https://uat-open-api.tingee.vn', TINGEE_CLIENT_ID: 'cid', TINGEE_SECRET_KEY: 't1ng33-s3cr3t', TINGEE_MAX_REQUESTS_PER_SECOND: '2' });
    expect(real.tingee).toMatchObject({ baseUrl: 'https://uat-open-api.tingee.vn', clientId: 'cid', secretKey: 't1ng33-s3cr3t', maxRequestsPerSecond: 2 });
    const error = configErrorFor({ TINGEE_BASE_URL: 'uat-open-api', TINGEE_SECRET_KEY: 't1ng33-s3cr3t', TINGEE_TIMEOUT_MS: '-1' });
    expect(error.problems).toEqual([
      'TINGEE_BASE_URL must be a URL such as https://uat-open-api.tingee.vn',
      'TINGEE_TIMEOUT_MS must be positive',
      'TINGEE_CLIENT_ID is required when TINGEE_BASE_URL is set',
    ]);
    expect(error.message).not.toContain('t1ng33-s3cr3t');
    // Real Tingee, like real Finan, needs configured API keys: the development key is for the sandbox only.
    expect(gatewayProblems(real)).toEqual([expect.stringContaining('TINGEE_BASE_URL is set (real Tingee)')]);
  });

  it('plays SePay with the sandbox by default, and needs the client id, secret and redirect URI for real SePay', () => {
    expect(loadConfig({}).sepay).toEqual({
      baseUrl: undefined,
      clientId: 'sandbox-sepay-client',
      clientSecret: 'sandbox-sepay-secret',
      redirectUri: 'http://127.0.0.1:3000/v1/sepay/callback',
      scopes: ['company'],
      timeoutMs: 15_000,
      maxRequestsPerSecond: 3,
      refreshAheadMs: 300_000,
    });
    expect(loadConfig({ GATEWAY_PORT: '3999', SEPAY_SCOPES: 'company, profile' }).sepay).toMatchObject({ redirectUri: 'http://127.0.0.1:3999/v1/sepay/callback', scopes: ['company', 'profile'] });
    const real = loadConfig({ SEPAY_BASE_URL: 'https://my.sepay.vn', SEPAY_CLIENT_ID: 'cid', SEPAY_CLIENT_SECRET: 's3pay-s3cr3t', SEPAY_REDIRECT_URI: 'https://pay.example.com/v1/sepay/callback' });
    expect(real.sepay).toMatchObject({ baseUrl: 'https://my.sepay.vn', clientId: 'cid', clientSecret: 's3pay-s3cr3t', redirectUri: 'https://pay.example.com/v1/sepay/callback' });
    const error = configErrorFor({ SEPAY_BASE_URL: 'my.sepay.vn', SEPAY_CLIENT_SECRET: 's3pay-s3cr3t', SEPAY_SCOPES: 'company everything', SEPAY_MAX_REQUESTS_PER_SECOND: '5' });
    expect(error.problems).toEqual([
      'SEPAY_BASE_URL must be a URL such as https://my.sepay.vn',
      expect.stringMatching(/^SEPAY_SCOPES\.1 must be scopes among company, /),
      'SEPAY_MAX_REQUESTS_PER_SECOND must be at most 3 (SePay allows 3 requests per second)',
      'SEPAY_CLIENT_ID is required when SEPAY_BASE_URL is set',
      'SEPAY_REDIRECT_URI is required when SEPAY_BASE_URL is set',
    ]);
    expect(error.message).not.toContain('s3pay-s3cr3t');
    expect(gatewayProblems(real)).toEqual([expect.stringContaining('SEPAY_BASE_URL is set (real SePay)')]);
  });

  it('verifies webhooks with the secret key unless FINAN_WEBHOOK_SECRETS says otherwise (the page uses one secretKey)', () => {
    expect(loadConfig({}).finan.webhookSecrets).toEqual(['sandbox-secret']);
    expect(loadConfig({ FINAN_SECRET_KEY: 'mine' }).finan.webhookSecrets).toEqual(['mine']);
    const real = loadConfig({ FINAN_BASE_URL: 'https://api.finan.one/open', FINAN_CLIENT_ID: 'cid', FINAN_SECRET_KEY: 's3cr3t' });
    expect(real.finan.webhookSecrets).toEqual(['s3cr3t']);
    expect(loadConfig({ FINAN_SECRET_KEY: 'mine', FINAN_WEBHOOK_SECRETS: 'new, old' }).finan.webhookSecrets).toEqual(['new', 'old']);
  });

  it('names a malformed encryption key without printing it', () => {
    const bad = Buffer.alloc(16, 9).toString('base64');
    const error = configErrorFor({ DONGFLOW_ENCRYPTION_KEYS: `k1:${bad}` });
    expect(error.problems.join('\n')).toMatch(/^DONGFLOW_ENCRYPTION_KEYS .*k1/);
    expect(error.message).not.toContain(bad);
  });

  it('requires a codec token, in one line, whenever the codec server leaves loopback', () => {
    expect(configErrorFor({ DONGFLOW_CODEC_HOST: '0.0.0.0', DONGFLOW_CODEC_AUTH_TOKEN: 's3cr3t-token', GATEWAY_PORT: '0' }).problems).toEqual([
      'GATEWAY_PORT must be a port number between 1 and 65535',
    ]);
    expect(configErrorFor({ DONGFLOW_CODEC_HOST: '0.0.0.0' }).problems).toEqual([
      'DONGFLOW_CODEC_AUTH_TOKEN is required when DONGFLOW_CODEC_HOST (0.0.0.0) is not a loopback address: the codec server decrypts every payload',
    ]);
    expect(loadConfig({ DONGFLOW_CODEC_HOST: '::1', DONGFLOW_CODEC_PORT: '9000' }).codec).toEqual({ host: '::1', port: 9000 });
    expect(loadConfig({ DONGFLOW_CODEC_HOST: '10.0.0.5', DONGFLOW_CODEC_AUTH_TOKEN: 't' }).security.codecAuthToken).toBe('t');
  });

  it('tells loopback addresses from the others', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.com', '128.0.0.1', '127.0.0.1.example.com']) expect(isLoopbackHost(host)).toBe(false);
  });

  describe('the development API key (every scope)', () => {
    const apiKeys = JSON.stringify([{ name: 'shop', sha256: 'a'.repeat(64), scopes: ['read'] }]);

    it('is allowed only with the embedded sandbox, a loopback gateway and the embedded Temporal', () => {
      expect(gatewayProblems(loadConfig({}))).toEqual([]);
      expect(gatewayProblems(loadConfig({ GATEWAY_HOST: 'localhost' }))).toEqual([]);
    });

    it('is refused, in one line saying why, with real Finan or a public gateway', () => {
      const realFinan = { FINAN_BASE_URL: 'https://api.finan.one/open', FINAN_CLIENT_ID: 'cid', FINAN_SECRET_KEY: 's' };
      expect(gatewayProblems(loadConfig(realFinan))).toEqual([expect.stringMatching(/^DONGFLOW_API_KEYS is required when FINAN_BASE_URL is set \(real Finan\): /)]);
      expect(gatewayProblems(loadConfig({ GATEWAY_HOST: '0.0.0.0' }))).toEqual([
        expect.stringMatching(/^DONGFLOW_API_KEYS is required when GATEWAY_HOST \(0\.0\.0\.0\) is not a loopback address: .*npx dongflow api-key/),
      ]);
      const both = gatewayProblems(loadConfig({ ...realFinan, GATEWAY_HOST: '10.0.0.5' }));
      expect(both).toHaveLength(1);
      expect(both[0]).toContain('FINAN_BASE_URL is set (real Finan) and GATEWAY_HOST (10.0.0.5) is not a loopback address');
    });

    it('is not needed once DONGFLOW_API_KEYS is set', () => {
      expect(gatewayProblems(loadConfig({ FINAN_BASE_URL: 'https://api.finan.one/open', FINAN_CLIENT_ID: 'c', FINAN_SECRET_KEY: 's', GATEWAY_HOST: '0.0.0.0', DONGFLOW_API_KEYS: apiKeys }))).toEqual([]);
    });
  });

  it('reads extra Temporal UI origins for the codec server, and names a malformed one', () => {
    expect(loadConfig({ DONGFLOW_CODEC_ALLOWED_ORIGINS: 'https://ui.example.com, http://10.0.0.5:8080' }).security.codecAllowedOrigins).toEqual([
      'https://ui.example.com',
      'http://10.0.0.5:8080',
    ]);
    expect(() => loadConfig({ DONGFLOW_CODEC_ALLOWED_ORIGINS: 'ui.example.com' })).toThrow(/DONGFLOW_CODEC_ALLOWED_ORIGINS\.0 must be comma-separated origins/);
  });

  it('turns on TLS for Temporal Cloud API keys and requires both halves of an mTLS pair', () => {
    const keys = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
    expect(loadConfig({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k', DONGFLOW_ENCRYPTION_KEYS: keys }).temporal.tls).toBe(true);
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_PATH: '/tmp/client.pem' })).toThrow(
      'TEMPORAL_TLS_KEY_PATH is required with the other mTLS variable (set both or neither)',
    );
  });
});
