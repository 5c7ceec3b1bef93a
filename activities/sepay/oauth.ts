/**
 * SePay's token endpoint: the one-time code exchange and the refresh (which rotates the refresh token). Their
 * results are the only place tokens enter history, encrypted by the payload codec; nothing here logs them.
 */
import { cancellationSignal } from '@temporalio/activity';
import type { SepayClient } from '../../providers/sepay/client';
import type { IssuedTokens } from '../../workflows/sepay/messages';
import { mapSepayErrors } from './failures';

export function createSepayOAuthActivities(deps: { sepay: SepayClient }) {
  return {
    async exchangeSepayCode(input: { code: string }): Promise<IssuedTokens> {
      return mapSepayErrors(() => deps.sepay.exchangeCode(input.code, { signal: cancellationSignal() }));
    },

    async refreshSepayToken(input: { refreshToken: string }): Promise<IssuedTokens> {
      return mapSepayErrors(() => deps.sepay.refresh(input.refreshToken, { signal: cancellationSignal() }));
    },
  };
}

export type SepayOAuthActivities = ReturnType<typeof createSepayOAuthActivities>;
