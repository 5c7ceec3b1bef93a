/** SePay's sandbox controls (`/_sandbox/sepay/...`) and the consent a person gives in the browser. */

export interface SepayStats {
  requests: number;
  rateLimited: number;
  refreshes: number;
  refreshTokenReuses: number;
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export function sepayControls(sandboxUrl: string) {
  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${sandboxUrl}/_sandbox/sepay${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return {
    stats: async () => json<SepayStats>(await send('GET', '/stats')),
    company: async () => json<{ configurations: { payment_code_formats: unknown[] } } & Record<string, unknown>>(await send('GET', '/company')),
    expireTokens: async () => json(await send('POST', '/tokens/expire')),
    revokeTokens: async () => json(await send('POST', '/tokens/revoke')),
    setRole: async (role: string) => json(await send('PUT', '/user', { role })),
  };
}

/**
 * What the consenting person's browser does: opens SePay's consent URL (the sandbox consents at once) and follows
 * the redirect to our callback, which needs no API key. Answers the callback's status and body.
 */
export async function consent(url: string): Promise<{ status: number; body: unknown; callbackUrl: string }> {
  const atSepay = await fetch(url, { redirect: 'manual' });
  if (atSepay.status !== 302) throw new Error(`SePay's consent page answered ${atSepay.status}: ${await atSepay.text()}`);
  const callbackUrl = atSepay.headers.get('location')!;
  const back = await fetch(callbackUrl);
  const text = await back.text();
  return { status: back.status, body: text ? JSON.parse(text) : undefined, callbackUrl };
}
