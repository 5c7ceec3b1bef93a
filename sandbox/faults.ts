import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { seededRandom } from './prng';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const rate = z.number().min(0).max(1);

/** One rule per provider route. Omitted fault fields mean no fault of that kind; omitted method/path match any. */
export const faultRuleSchema = z.strictObject({
  method: z.string().toUpperCase().pipe(z.enum(HTTP_METHODS)).optional(),
  // The path after the provider's base (`/open` for Finan), `:name` segments matching any one segment.
  path: z
    .string()
    .startsWith('/', 'path must start with / (the part after /open)')
    .refine((path) => !path.includes('?'), 'path must not include a query string')
    .optional(),
  latencyMs: z.int().nonnegative().optional(),
  errorRate: rate.optional(),
  errorStatus: z.int().min(400).max(599).optional(),
  commitThenDropRate: rate.optional(),
});

/** Applied by the payment webhooks (see `finan/webhooks.ts`): each event is dropped, duplicated, reordered or delayed. */
export const webhookFaultsSchema = z.strictObject({
  dropRate: rate.optional(),
  duplicateRate: rate.optional(),
  reorder: z.boolean().optional(),
  delayMs: z.int().nonnegative().optional(),
});

// Strict objects: a misspelt fault field must be a 400, not a silently fault-free run.
export const faultConfigSchema = z.strictObject({
  seed: z.int().min(0).max(0xffff_ffff).optional(),
  rules: z.array(faultRuleSchema).default([]),
  webhooks: webhookFaultsSchema.default({}),
});

export type FaultRule = z.infer<typeof faultRuleSchema>;
export type WebhookFaults = z.infer<typeof webhookFaultsSchema>;
export type FaultConfig = z.input<typeof faultConfigSchema>;

/** The configuration in force; `seed` is reported so that a run can be reproduced. */
export interface FaultState {
  seed: number;
  rules: FaultRule[];
  webhooks: WebhookFaults;
}

export interface FaultDecision {
  latencyMs: number;
  /** HTTP status to answer instead of handling the request, or null to handle it. */
  errorStatus: number | null;
  /** Handle and commit the request, then destroy the connection before answering. */
  commitThenDrop: boolean;
}

/** What happens to one webhook event. */
export interface WebhookFaultDecision {
  /** Never sent (the payment is still recorded). */
  drop: boolean;
  /** Sent twice. */
  duplicate: boolean;
  /** Held back and sent after the next event. */
  reorder: boolean;
  /** Sandbox milliseconds before the first attempt. */
  delayMs: number;
}

export const DEFAULT_ERROR_STATUS = 503;
const NO_FAULT: FaultDecision = { latencyMs: 0, errorStatus: null, commitThenDrop: false };

/** Whether a rule path such as `/api/v1/payouts/:id/otps` matches a concrete path. */
export function pathMatches(template: string, path: string): boolean {
  const expected = template.split('/');
  const actual = path.split('/');
  return (
    expected.length === actual.length &&
    expected.every((segment, i) => {
      const given = actual[i] ?? '';
      return segment.startsWith(':') ? given !== '' : segment === given;
    })
  );
}

const randomSeed = (): number => randomInt(0, 0xffff_ffff);

export class FaultStore {
  private state: FaultState;
  private random: () => number;

  constructor() {
    this.state = { seed: randomSeed(), rules: [], webhooks: {} };
    this.random = seededRandom(this.state.seed);
  }

  /** Replaces every rule and webhook fault; reseeds the PRNG (with a fresh seed when none is given). */
  configure(config: FaultConfig): FaultState {
    const parsed = faultConfigSchema.parse(config);
    this.state = { seed: parsed.seed ?? randomSeed(), rules: parsed.rules, webhooks: parsed.webhooks };
    this.random = seededRandom(this.state.seed);
    return this.snapshot();
  }

  clear(): FaultState {
    return this.configure({});
  }

  snapshot(): FaultState {
    return structuredClone(this.state);
  }

  webhooks(): WebhookFaults {
    return { ...this.state.webhooks };
  }

  /** Decides the faults of one webhook event, from the seeded PRNG like the request faults. */
  decideWebhook(): WebhookFaultDecision {
    const { dropRate, duplicateRate, reorder, delayMs } = this.state.webhooks;
    const drop = this.draw(dropRate);
    const duplicate = this.draw(duplicateRate);
    // A dropped event is not sent at all, so it cannot be sent twice either.
    return { drop, duplicate: !drop && duplicate, reorder: reorder ?? false, delayMs: delayMs ?? 0 };
  }

  /** Decides the faults of one request. The first matching rule wins; rates are drawn from the seeded PRNG. */
  decide(method: string, path: string): FaultDecision {
    const rule = this.state.rules.find(
      (candidate) =>
        (candidate.method === undefined || candidate.method === method) &&
        (candidate.path === undefined || pathMatches(candidate.path, path)),
    );
    if (rule === undefined) return NO_FAULT;
    const fails = this.draw(rule.errorRate);
    return {
      latencyMs: rule.latencyMs ?? 0,
      errorStatus: fails ? (rule.errorStatus ?? DEFAULT_ERROR_STATUS) : null,
      // A request answered with an injected error changed nothing, so there is nothing to commit then drop.
      commitThenDrop: !fails && this.draw(rule.commitThenDropRate),
    };
  }

  // Draws only for configured rates, so adding a rate to one rule does not shift the others' sequence needlessly.
  private draw(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.random() < rate;
  }
}
