import { createLogger } from '../../config/logger';

/** Logs one object through dongflow's logger and returns what would have been written. */
function logged(obj: object): string {
  const lines: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void lines.push(line) } });
  logger.info(obj, 'probe');
  return lines.join('');
}

function expectRedacted(obj: object, secrets: string[]): void {
  const output = logged(obj);
  for (const secret of secrets) expect(output).not.toContain(secret);
  expect(output).toContain('[redacted]');
}

describe('log redaction (config/logger.ts)', () => {
  it('redacts secret fields at the top level', () => {
    expectRedacted(
      { secretKey: 'SK-top-1', otp: '012345', code: '654321', password: 'pw-top-1', token: 'tok-top-1', apiKey: 'ak-top-1', secret: 'sec-top-1' },
      ['SK-top-1', '012345', '654321', 'pw-top-1', 'tok-top-1', 'ak-top-1', 'sec-top-1'],
    );
  });

  it('redacts them one and two levels down', () => {
    expectRedacted({ body: { otp: '111222', code: '333444' }, finan: { credentials: { secretKey: 'SK-nested-2' } } }, ['111222', '333444', 'SK-nested-2']);
  });

  it('redacts them inside arrays of objects', () => {
    expectRedacted({ attempts: [{ otp: '555666' }, { code: '777888' }] }, ['555666', '777888']);
  });

  it('redacts the authorization header of a request and of a bare headers object, and the Finan signature', () => {
    expectRedacted({ req: { headers: { authorization: 'Bearer dfk_header_1' } } }, ['dfk_header_1']);
    expectRedacted({ headers: { authorization: 'Bearer dfk_header_2', 'x-signature': 'sig-abc-123' } }, ['dfk_header_2', 'sig-abc-123']);
  });

  it('redacts secrets bound to a child logger', () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    logger.child({ otp: '909090' }).info('probe');
    expect(lines.join('')).not.toContain('909090');
    expect(lines.join('')).toContain('[redacted]');
  });

  it("redacts SePay's one-time code and state in a logged URL, and tokens in any query, keeping the rest", () => {
    const output = logged({ req: { url: '/v1/sepay/callback?state=st-9f2&code=c0de-77&x=1' }, link: 'https://x.example/cb?access_token=at-1&refresh_token=rt-2' });
    for (const secret of ['st-9f2', 'c0de-77', 'at-1', 'rt-2']) expect(output).not.toContain(secret);
    expect(output).toContain('/v1/sepay/callback?state=[redacted]&code=[redacted]&x=1');
  });

  it('keeps everything else', () => {
    const output = logged({ referenceId: 'PO-42', amount: 50_000, nested: { payoutId: 'p-1' } });
    expect(output).toContain('PO-42');
    expect(output).toContain('50000');
    expect(output).toContain('p-1');
  });

  describe('the harder cases', () => {
    it('redacts secrets three or more levels down', () => {
      expectRedacted({ err: { details: { request: { otp: '246810' } } } }, ['246810']);
    });

    it('redacts an Authorization header written with a capital A', () => {
      expectRedacted({ headers: { Authorization: 'Bearer dfk_capital' } }, ['dfk_capital']);
    });

    it("redacts the providers' snake_case secret fields", () => {
      expectRedacted(
        { secret_key: 'SK-snake', pass_code: '135791', access_token: 'at-snake', refresh_token: 'rt-snake', client_secret: 'cs-snake' },
        ['SK-snake', '135791', 'at-snake', 'rt-snake', 'cs-snake'],
      );
    });

    it('redacts camelCase token and secret variants', () => {
      expectRedacted(
        { accessToken: 'at-camel', refreshToken: 'rt-camel', clientSecret: 'cs-camel', otpCode: '864200' },
        ['at-camel', 'rt-camel', 'cs-camel', '864200'],
      );
    });

    it('redacts x-api-key and cookie headers', () => {
      expectRedacted({ req: { headers: { 'x-api-key': 'xak-1', cookie: 'session=ck-1' } } }, ['xak-1', 'ck-1']);
    });

    it('keeps error codes (err.code, a provider error code) visible', () => {
      const err = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      expect(logged({ err })).toContain('ECONNRESET');
      expect(logged({ error: { code: 'FinanNotFound', providerCode: 104000 } })).toContain('104000');
    });

    it('redacts secrets inside an error object', () => {
      const err = Object.assign(new Error('Finan 401'), { request: { headers: { 'x-signature': 'sig-in-error' } } });
      expectRedacted({ err }, ['sig-in-error']);
    });
  });
});
