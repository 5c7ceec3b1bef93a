import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { HttpMethod } from '../../providers/http';
import { finanAuthHeaders, finanSignature } from '../../providers/finan/sign';
import type { FinanSignatureInput } from '../../providers/finan/sign';

describe('Finan request signature', () => {
  it('matches the published GET vector (empty payload)', () => {
    expect(
      finanSignature({ secretKey: 'mySecretKey', method: 'GET', path: '/api/v1/payments', payload: '', timestamp: 1699999999 }),
    ).toBe('73c2f95458328a80e1aa7d4f7446d4a7cb7e541e543ac66797a79964f04e31bd');
  });

  it('matches the published POST vector (compact JSON payload)', () => {
    expect(
      finanSignature({
        secretKey: 's3r3c_k3y',
        method: 'POST',
        path: '/api/v1/transfer/verify-otp',
        payload: '{"id":"7fc5e181-aae3-4021-8ce0-6a53aa71990d","pass_code":"1828288371923881984"}',
        timestamp: '1724986946',
      }),
    ).toBe('10366e5abe3a5ce0a012745a3549128e7a7fb76cc36c15def43c9073715a9466');
  });

  it('builds the four documented headers, timestamp in whole seconds', () => {
    const headers = finanAuthHeaders({
      clientId: 'client-1',
      secretKey: 'mySecretKey',
      method: 'GET',
      path: '/api/v1/payments',
      payload: '',
      nowSeconds: 1699999999.987,
    });
    expect(headers).toEqual({
      'x-client-id': 'client-1',
      'x-signature': '73c2f95458328a80e1aa7d4f7446d4a7cb7e541e543ac66797a79964f04e31bd',
      'x-timestamp': '1699999999',
      'content-type': 'application/json',
    });
  });

  const methods: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
  const input = fc.record({
    secretKey: fc.string(),
    method: fc.constantFrom(...methods),
    path: fc.string(),
    payload: fc.string(),
    timestamp: fc.integer({ min: 0, max: 4_102_444_800 }).map(String),
  });

  it('equals an independent SHA-256 of secret_METHOD_path_payload_timestamp', () => {
    fc.assert(
      fc.property(input, (i) => {
        const expected = createHash('sha256').update(`${i.secretKey}_${i.method}_${i.path}_${i.payload}_${i.timestamp}`).digest('hex');
        expect(finanSignature(i)).toBe(expected);
        expect(finanSignature(i)).toMatch(/^[0-9a-f]{64}$/);
      }),
    );
  });

  it('changes when any one input changes', () => {
    const fields = ['secretKey', 'method', 'path', 'payload', 'timestamp'] as const;
    fc.assert(
      fc.property(input, fc.constantFrom(...fields), fc.string(), fc.constantFrom(...methods), (i, field, other, otherMethod) => {
        const changed: FinanSignatureInput = { ...i };
        if (field === 'method') changed.method = otherMethod;
        else if (field === 'timestamp') changed.timestamp = `${i.timestamp}${other.length}`;
        else changed[field] = other;
        fc.pre(String(changed[field]) !== String(i[field]));
        expect(finanSignature(changed)).not.toBe(finanSignature(i));
      }),
    );
  });
  it('refuses to stamp a request with a clock that is not a number of seconds', () => {
    const request = { clientId: 'YOUR_CLIENT_ID', secretKey: 'mySecretKey', method: 'GET' as const, path: '/api/v1/payments', payload: '' };
    for (const nowSeconds of [NaN, Infinity]) {
      expect(() => finanAuthHeaders({ ...request, nowSeconds })).toThrow(new RangeError('nowSeconds must be a finite number of Unix seconds'));
    }
  });
});
