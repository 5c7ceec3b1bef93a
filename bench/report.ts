/** The benchmark's outputs, pure: the printed table, `bench/results/latest.json` and its SVG chart. */

export interface Scenario {
  name: string;
  unit: string;
  dongflow: number | null;
  /** The floor's figure from the same run; null where a floor means nothing (memory, growth). */
  floor: number | null;
  /** dongflow / floor. */
  ratio: number | null;
  /** Which way is better, for reading the ratio: rates `higher`, times and sizes `lower`. */
  better: 'higher' | 'lower';
  /** The issue's target, in words, when there is one. */
  target?: string;
  /** Whether the target is met (null: no target). */
  met: boolean | null;
}

export interface BenchResults {
  machine: Record<string, unknown>;
  scenarios: Scenario[];
  historyEvents: { payout: number | null; paymentRequestPaid: number | null; invoicePaid: number | null };
  providerCalls: Record<string, unknown>;
  [more: string]: unknown;
}

/** A figure as printed: three significant digits, whole numbers for large ones. */
export function formatNumber(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function formatRatio(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '–' : `×${value >= 100 ? Math.round(value) : value.toFixed(2)}`;
}

/** A Markdown table (it reads as plain text too): scenario, unit, dongflow, floor, ratio, target, met. */
export function table(scenarios: readonly Scenario[]): string {
  const header = ['scenario', 'unit', 'dongflow', 'floor', 'dongflow/floor', 'target', 'met'];
  const rows = scenarios.map((s) => [
    s.name,
    s.unit,
    formatNumber(s.dongflow),
    formatNumber(s.floor),
    formatRatio(s.ratio),
    s.target ?? '',
    s.met === null ? '' : s.met ? 'yes' : 'NO',
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const numeric = new Set([2, 3, 4]);
  const line = (r: string[]) => `| ${r.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (numeric.has(c) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** JSON with NaN and Infinity as null (JSON has neither), two-space indented, one trailing newline. */
export function resultsJson(results: BenchResults): string {
  return `${JSON.stringify(results, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * A horizontal bar chart: per scenario, dongflow's bar and the floor's (scaled to the larger of the two), the
 * figures and the ratio; scenarios without a floor get dongflow's bar alone, full width.
 */
export function svgChart(scenarios: readonly Scenario[], title: string): string {
  const labelWidth = 560;
  const barWidth = 360;
  const rowHeight = 34;
  const top = 40;
  const width = labelWidth + barWidth + 170;
  const height = top + scenarios.length * rowHeight + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  scenarios.forEach((s, i) => {
    const y = top + i * rowHeight;
    const scale = Math.max(s.dongflow ?? 0, s.floor ?? 0);
    const w = (v: number | null) => (v === null || !Number.isFinite(v) || scale <= 0 ? 0 : Math.max(1, (v / scale) * barWidth));
    const colour = s.met === false ? '#d9534f' : '#2e7d32';
    parts.push(
      `<text x="10" y="${y + 14}">${escapeXml(`${s.name} (${s.unit})`)}</text>`,
      `<rect x="${labelWidth}" y="${y + 2}" width="${w(s.dongflow).toFixed(1)}" height="13" fill="${colour}"/>`,
      `<text x="${labelWidth + w(s.dongflow) + 4}" y="${y + 13}" font-size="11">${escapeXml(formatNumber(s.dongflow))}</text>`,
    );
    if (s.floor !== null) {
      parts.push(
        `<rect x="${labelWidth}" y="${y + 17}" width="${w(s.floor).toFixed(1)}" height="11" fill="#9e9e9e"/>`,
        `<text x="${labelWidth + w(s.floor) + 4}" y="${y + 27}" font-size="10" fill="#555">${escapeXml(`floor ${formatNumber(s.floor)}`)}</text>`,
      );
    }
    if (s.ratio !== null) parts.push(`<text x="${labelWidth + barWidth + 90}" y="${y + 18}" font-weight="bold">${escapeXml(formatRatio(s.ratio))}</text>`);
  });
  parts.push(
    `<text x="10" y="${height - 10}" font-size="11" fill="#555">${escapeXml('green: dongflow (red: target missed) · grey: the floor, same run · right: dongflow/floor')}</text>`,
    '</svg>',
    '',
  );
  return parts.join('\n');
}
