import { ConfigError, loadConfig } from '../../config/env';

describe('configuration', () => {
  it('runs on embedded defaults with no variables at all', () => {
    const config = loadConfig({});
    expect(config.temporal.address).toBeUndefined();
    expect(config.finan.baseUrl).toBeUndefined();
    expect(config.gateway).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.sandbox).toEqual({ host: '127.0.0.1', port: 4010 });
    expect(config.temporal.embedded).toEqual({ port: 7233, uiPort: 8233 });
    expect(config.payout).toEqual({ otpTimeoutMs: 600_000, pollHorizonMs: 86_400_000 });
  });

  it('reads durations in words or milliseconds', () => {
    expect(loadConfig({ DONGFLOW_OTP_TIMEOUT: '5 minutes', DONGFLOW_PAYOUT_POLL_HORIZON: '3600000' }).payout).toEqual({
      otpTimeoutMs: 300_000,
      pollHorizonMs: 3_600_000,
    });
  });

  it('reports every bad or missing variable at once, one line each', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ GATEWAY_PORT: '70000', FINAN_BASE_URL: 'https://api.finan.one/open', DONGFLOW_OTP_TIMEOUT: 'soon', TEMPORAL_ADDRESS: 'no-port' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual(
      expect.arrayContaining([
        'GATEWAY_PORT must be a port number between 1 and 65535',
        'DONGFLOW_OTP_TIMEOUT must be a duration such as "10 minutes", "30s" or milliseconds (got "soon")',
        'TEMPORAL_ADDRESS must be host:port, e.g. my-namespace.tmprl.cloud:7233',
        'FINAN_CLIENT_ID is required when FINAN_BASE_URL is set',
        'FINAN_SECRET_KEY is required when FINAN_BASE_URL is set',
        'FINAN_WEBHOOK_SECRETS is required when FINAN_BASE_URL is set (comma-separated, newest first)',
        'DONGFLOW_ENCRYPTION_KEYS is required when TEMPORAL_ADDRESS is set (e.g. k1:<32 random bytes, base64>)',
      ]),
    );
    expect(error!.problems).toHaveLength(7);
  });

  it('uses real Finan credentials when FINAN_BASE_URL is set, and never prints the secret in errors', () => {
    const config = loadConfig({ FINAN_BASE_URL: 'https://api.finan.one/open', FINAN_CLIENT_ID: 'cid', FINAN_SECRET_KEY: 's3cr3t', FINAN_WEBHOOK_SECRETS: 'whsec' });
    expect(config.finan).toMatchObject({ baseUrl: 'https://api.finan.one/open', clientId: 'cid', secretKey: 's3cr3t' });
    try {
      loadConfig({ FINAN_BASE_URL: 'not a url', FINAN_SECRET_KEY: 's3cr3t' });
    } catch (err) {
      expect((err as Error).message).not.toContain('s3cr3t');
    }
  });

  it('names a malformed encryption key without printing it', () => {
    const bad = Buffer.alloc(16, 9).toString('base64');
    try {
      loadConfig({ DONGFLOW_ENCRYPTION_KEYS: `k1:${bad}` });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.join('\n')).toMatch(/^DONGFLOW_ENCRYPTION_KEYS .*k1/);
      expect((err as Error).message).not.toContain(bad);
    }
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
