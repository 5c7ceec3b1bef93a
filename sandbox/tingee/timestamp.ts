/** Vietnam is UTC+7 all year: Tingee reads `x-request-timestamp` in it. */
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

/**
 * The instant an `x-request-timestamp` (`yyyyMMddHHmmssSSS`, UTC+7) names, or undefined when it is not that format
 * or not a real date and time (20251332..., 20250230...).
 */
export function instantOfTingeeTimestamp(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})$/.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(asUtc);
  // Date.UTC rolls 32 January over to 1 February: a round trip tells a real date from an overflowing one.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || check.getUTCHours() !== hour || check.getUTCMinutes() !== minute || check.getUTCSeconds() !== second) {
    return undefined;
  }
  return asUtc - VIETNAM_OFFSET_MS;
}
