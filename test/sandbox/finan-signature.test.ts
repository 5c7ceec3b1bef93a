import { finanSignature, isValidFinanSignature } from '../../sandbox/finan/signature';
import { signFinan } from './finan-test-client';

// Test vectors from reference/providers.md (Finan Open API).
const VECTORS = [
  {
    input: { secretKey: 'mySecretKey', method: 'GET', path: '/api/v1/payments', payload: '', timestamp: '1699999999' },
    expected: '73c2f95458328a80e1aa7d4f7446d4a7cb7e541e543ac66797a79964f04e31bd',
  },
  {
    input: {
      secretKey: 's3r3c_k3y',
      method: 'POST',
      path: '/api/v1/transfer/verify-otp',
      payload: '{"id":"7fc5e181-aae3-4021-8ce0-6a53aa71990d","pass_code":"1828288371923881984"}',
      timestamp: '1724986946',
    },
    expected: '10366e5abe3a5ce0a012745a3549128e7a7fb76cc36c15def43c9073715a9466',
  },
];

describe('Finan signature (sandbox side)', () => {
  it.each(VECTORS)('matches the published vector for $input.method $input.path', ({ input, expected }) => {
    expect(finanSignature(input)).toBe(expected);
    expect(finanSignature({ ...input, payload: Buffer.from(input.payload, 'utf8') })).toBe(expected);
    expect(isValidFinanSignature(input, expected)).toBe(true);
  });

  it.each(VECTORS)("the tests' own signer agrees with the vector for $input.path", ({ input, expected }) => {
    expect(signFinan(input.secretKey, input.method, input.path, input.payload, input.timestamp)).toBe(expected);
  });

  const [vector] = VECTORS;
  if (vector === undefined) throw new Error('no vectors');

  it('rejects an upper-case hex signature: the rule says lowercase', () => {
    expect(isValidFinanSignature(vector.input, vector.expected.toUpperCase())).toBe(false);
  });

  it('rejects signatures of the wrong length without throwing', () => {
    expect(isValidFinanSignature(vector.input, vector.expected.slice(1))).toBe(false);
    expect(isValidFinanSignature(vector.input, '')).toBe(false);
    expect(isValidFinanSignature(vector.input, 'é'.repeat(32))).toBe(false);
  });

  it('binds the query string, the body and the timestamp', () => {
    const signed = vector.expected;
    expect(isValidFinanSignature({ ...vector.input, path: '/api/v1/payments?page=1' }, signed)).toBe(false);
    expect(isValidFinanSignature({ ...vector.input, payload: '{}' }, signed)).toBe(false);
    expect(isValidFinanSignature({ ...vector.input, timestamp: '1700000000' }, signed)).toBe(false);
    expect(isValidFinanSignature({ ...vector.input, method: 'get' }, signed)).toBe(false);
  });

  it('hashes the body bytes: UTF-8 text signs the same whether given as string or bytes', () => {
    const input = { ...vector.input, method: 'POST', payload: '{"description":"thanh toán đơn hàng"}' };
    expect(finanSignature({ ...input, payload: Buffer.from(input.payload, 'utf8') })).toBe(finanSignature(input));
  });
});
