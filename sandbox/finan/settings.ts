import { isIPv4 } from 'node:net';
import { z } from 'zod';

/** Runtime switches of the emulated Finan account, changed through `/_sandbox/finan/settings`. */
export interface FinanSettings {
  /** Allowed caller IPs for the payout API, or null when the whitelist is off. */
  ipWhitelist: string[] | null;
  /** Time a confirmed payout spends in `processing` (before the time scale). */
  processingDelayMs: number;
}

export const finanSettingsPatchSchema = z.strictObject({
  ipWhitelist: z.array(z.union([z.ipv4(), z.ipv6()])).nullable().optional(),
  processingDelayMs: z.int().nonnegative().optional(),
});
export type FinanSettingsPatch = z.infer<typeof finanSettingsPatchSchema>;

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is the same caller as `10.0.0.1`. */
export function normalizeIp(ip: string): string {
  const mapped = /^::ffff:(.+)$/i.exec(ip)?.[1];
  return mapped !== undefined && isIPv4(mapped) ? mapped : ip.toLowerCase();
}

export class FinanSettingsStore {
  private settings: FinanSettings;

  constructor(private readonly defaults: FinanSettings) {
    this.settings = structuredClone(defaults);
  }

  current(): FinanSettings {
    return structuredClone(this.settings);
  }

  /** Omitted fields keep their value; `ipWhitelist: null` turns the whitelist off. */
  update(patch: FinanSettingsPatch): FinanSettings {
    if (patch.ipWhitelist !== undefined) this.settings.ipWhitelist = patch.ipWhitelist?.map(normalizeIp) ?? null;
    if (patch.processingDelayMs !== undefined) this.settings.processingDelayMs = patch.processingDelayMs;
    return this.current();
  }

  isAllowed(ip: string): boolean {
    const { ipWhitelist } = this.settings;
    return ipWhitelist === null || ipWhitelist.includes(normalizeIp(ip));
  }

  reset(): void {
    this.settings = structuredClone(this.defaults);
  }
}
