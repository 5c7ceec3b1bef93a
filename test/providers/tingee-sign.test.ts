/**
 * Tingee's request signature and its UTC+7 timestamp. The timestamp must not depend on the host's time zone (the
 * page's own samples format local time: wrong on a UTC server), so it is checked under TZ=UTC and
 * TZ=America/Los_Angeles, in this process and in child processes started with those zones.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { tingeeAuthHeaders, tingeeSignature, tingeeTimestamp } from '../../providers/tingee/sign';
import { instantOfTingeeTimestamp } from '../../sandbox/tingee/timestamp';

const VECTOR = {
  secret: 'secret',
  message: '20251209103911111:{}',
  signature: 'f460f258f2826263286612f46cebe25a22fcba679d102c79681b6df858b45067dba004d4b42dac78059d2fca4dabfce9439bbe01c6aa4c37edca0209bbe51335',
};
/** 2025-12-09 10:39:11.111 in Hanoi (UTC+7) = 03:39:11.111 UTC: the page's sample timestamp. */
const PAGE_INSTANT = Date.UTC(2025, 11, 9, 3, 39, 11, 111);

describe('Tingee request signature', () => {
  it('matches the published vector: HMAC-SHA512 of "timestamp:{}" (a bodyless call signs {})', () => {
    expect(tingeeSignature({ secretKey: VECTOR.secret, timestamp: '20251209103911111', body: '{}' })).toBe(VECTOR.signature);
  });

  it('signs the body byte for byte as sent: another spelling of the same JSON is another signature', () => {
    const compact = tingeeSignature({ secretKey: 's', timestamp: '20251209103911111', body: '{"provider":"x-cyber"}' });
    expect(tingeeSignature({ secretKey: 's', timestamp: '20251209103911111', body: '{ "provider": "x-cyber" }' })).not.toBe(compact);
    // Vietnamese text is signed as UTF-8.
    expect(tingeeSignature({ secretKey: 's', timestamp: '1', body: '{"username":"kế toán"}' })).toBe(
      createHmac('sha512', 's').update(Buffer.from('1:{"username":"kế toán"}', 'utf8')).digest('hex'),
    );
  });

  it('builds the four headers the page lists', () => {
    expect(tingeeAuthHeaders({ clientId: 'YOUR_CLIENT_ID', secretKey: VECTOR.secret, body: '{}', nowMs: PAGE_INSTANT })).toEqual({
      'x-client-id': 'YOUR_CLIENT_ID',
      'x-signature': VECTOR.signature,
      'x-request-timestamp': '20251209103911111',
      'content-type': 'application/json',
    });
  });

  it('refuses a clock that is not a number', () => {
    expect(() => tingeeTimestamp(Number.NaN)).toThrow(RangeError);
  });
});

/** What a process started with `TZ=zone` computes: its local hour at an instant (proof of the zone) and our timestamps. */
function inProcessWithTz(zone: string, instants: number[]): { hours: number[]; timestamps: string[]; signature: string } {
  const script = `const { tingeeAuthHeaders, tingeeTimestamp } = require(${JSON.stringify(resolve(__dirname, '../../providers/tingee/sign.ts'))});
    const instants = ${JSON.stringify(instants)};
    process.stdout.write(JSON.stringify({
      hours: instants.map((i) => new Date(i).getHours()),
      timestamps: instants.map((i) => tingeeTimestamp(i)),
      signature: tingeeAuthHeaders({ clientId: 'c', secretKey: 'secret', body: '{}', nowMs: instants[0] })['x-signature'],
    }));`;
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { env: { ...process.env, TZ: zone }, encoding: 'utf8' }));
}

describe('x-request-timestamp is yyyyMMddHHmmssSSS in UTC+7 whatever the host time zone', () => {
  const instants = [
    PAGE_INSTANT,
    // Midnight, a year's end and a leap day in UTC+7, milliseconds padded.
    Date.UTC(2025, 11, 31, 17, 0, 0, 5),
    Date.UTC(2024, 1, 28, 16, 59, 59, 999),
    Date.UTC(2024, 1, 28, 17, 0, 0, 0),
  ];
  const expected = ['20251209103911111', '20260101000000005', '20240228235959999', '20240229000000000'];

  it(`in this process (TZ=${process.env.TZ ?? 'unset'})`, () => {
    expect(instants.map(tingeeTimestamp)).toEqual(expected);
  });

  it.each([
    // The host's local hour at the page's instant proves the zone took effect: formatting local time would differ.
    ['UTC', 3],
    ['America/Los_Angeles', 19],
    ['Asia/Ho_Chi_Minh', 10],
  ])('in a process started with TZ=%s (local hour %i at the page sample instant)', (zone, localHour) => {
    const out = inProcessWithTz(zone, instants);
    expect(out.hours[0]).toBe(localHour);
    expect(out.timestamps).toEqual(expected);
    expect(out.signature).toBe(VECTOR.signature);
  });

  it("reads back as the same instant with the sandbox's own parser, for any instant", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }), (instant) => {
        const timestamp = tingeeTimestamp(instant);
        expect(timestamp).toMatch(/^\d{17}$/);
        expect(instantOfTingeeTimestamp(timestamp)).toBe(instant);
      }),
    );
  });
});
