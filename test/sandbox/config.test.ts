import { resolveSandboxConfig } from '../../sandbox/config';

describe('sandbox configuration', () => {
  it('defaults to the documented client, secret, 2 s processing, 30 s window and no webhook URL', () => {
    expect(resolveSandboxConfig({}, {})).toEqual({
      timeScale: 1,
      finan: {
        clientId: 'sandbox-client',
        secretKey: 'sandbox-secret',
        processingDelayMs: 2000,
        timestampWindowSeconds: 30,
        webhookUrl: null,
        webhookSecret: 'sandbox-secret',
        webhookTimeoutMs: 10_000,
      },
      sepay: { clientId: 'sandbox-sepay-client', clientSecret: 'sandbox-sepay-secret', redirectUri: null, requestsPerSecond: 3, stateFile: null },
      tingee: { clientId: 'sandbox-tingee-client', secretKey: 'sandbox-tingee-secret', timestampWindowMs: 600_000 },
    });
  });

  it('reads the webhook URL and secret from the environment; an explicit null URL wins', () => {
    const env = { SANDBOX_FINAN_WEBHOOK_URL: 'http://127.0.0.1:3000/webhooks/finan', SANDBOX_FINAN_WEBHOOK_SECRET: 'whsec' };
    expect(resolveSandboxConfig({}, env).finan).toMatchObject({ webhookUrl: 'http://127.0.0.1:3000/webhooks/finan', webhookSecret: 'whsec' });
    expect(resolveSandboxConfig({ finan: { webhookUrl: null } }, env).finan.webhookUrl).toBeNull();
    expect(resolveSandboxConfig({}, { SANDBOX_FINAN_WEBHOOK_URL: '' }).finan.webhookUrl).toBeNull();
  });

  it('refuses a webhook URL that is not absolute http(s), naming the variable', () => {
    expect(() => resolveSandboxConfig({}, { SANDBOX_FINAN_WEBHOOK_URL: '/webhooks/finan' })).toThrow(/SANDBOX_FINAN_WEBHOOK_URL/);
    expect(() => resolveSandboxConfig({}, { SANDBOX_FINAN_WEBHOOK_URL: 'ftp://example.com/hook' })).toThrow(/http/);
  });

  it('reads the environment, and explicit options win over it', () => {
    const env = { SANDBOX_FINAN_CLIENT_ID: 'env-client', SANDBOX_FINAN_SECRET_KEY: 'env-secret', SANDBOX_TIME_SCALE: '0.1' };
    expect(resolveSandboxConfig({}, env)).toMatchObject({ timeScale: 0.1, finan: { clientId: 'env-client', secretKey: 'env-secret' } });
    expect(resolveSandboxConfig({ timeScale: 2, finan: { clientId: 'opt-client' } }, env)).toMatchObject({
      timeScale: 2,
      finan: { clientId: 'opt-client', secretKey: 'env-secret' },
    });
  });

  it('refuses a time scale that is not a non-negative number, naming the variable', () => {
    expect(() => resolveSandboxConfig({}, { SANDBOX_TIME_SCALE: 'fast' })).toThrow(/SANDBOX_TIME_SCALE/);
    expect(() => resolveSandboxConfig({ timeScale: -1 }, {})).toThrow(/timeScale/);
  });
});
