import { resolveSandboxConfig } from '../../sandbox/config';

describe('sandbox configuration', () => {
  it('defaults to the documented client, secret, 2 s processing and 30 s window', () => {
    expect(resolveSandboxConfig({}, {})).toEqual({
      timeScale: 1,
      finan: { clientId: 'sandbox-client', secretKey: 'sandbox-secret', processingDelayMs: 2000, timestampWindowSeconds: 30 },
    });
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
