/**
 * How the benchmark sees what happens without polling anything: it long-polls a workflow's history (the server
 * answers when new events are written, as `handle.result()` does) and counts Finan calls in the sandbox's own
 * request log.
 */
import { Writable } from 'node:stream';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { SandboxOptions } from '../sandbox/server';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/**
 * Follows a workflow's history as it is written until `match` returns a value (or the workflow closes without it).
 * Each call blocks on the server until new events exist: no polling interval, no query.
 */
export async function awaitHistory<T>(client: Client, workflowId: string, match: (event: HistoryEvent) => T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let nextPageToken: Uint8Array | undefined;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`${workflowId}: no matching history event within ${timeoutMs} ms`);
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId },
      nextPageToken,
      waitNewEvent: true,
      skipArchival: true,
    });
    for (const event of page.history?.events ?? []) {
      const found = match(event);
      if (found !== undefined) return found;
    }
    if (!page.nextPageToken || page.nextPageToken.length === 0) throw new Error(`${workflowId} closed without the awaited event`);
    nextPageToken = page.nextPageToken;
  }
}

/** A search attribute's value in an upsert event (search attributes are plain JSON, never encrypted). */
export function upsertedAttribute(event: HistoryEvent, name: string): unknown {
  if (event.eventType !== EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) return undefined;
  const payload = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[name];
  return payload?.data ? JSON.parse(Buffer.from(payload.data).toString('utf8')) : undefined;
}

/** The first (plain JSON) result of an activity completion event. */
export function activityResult(event: HistoryEvent): unknown {
  if (event.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) return undefined;
  const payload = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
  return payload?.data ? JSON.parse(Buffer.from(payload.data).toString('utf8')) : undefined;
}

export function isWorkflowTaskCompleted(event: HistoryEvent): boolean {
  return event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
}

export interface ProviderCallTally {
  calls: number;
  bytes: number;
  /** `GET /api/v1/payouts` → count. */
  byRoute: Record<string, number>;
}

/**
 * Counts the Finan calls the sandbox answers, from its Fastify request log (level info: one "request completed"
 * line per request): method, route, response bytes. `mark()` then `since(mark)` gives one phase's calls.
 */
export class ProviderCallCounter {
  private readonly log: { route: string; bytes: number }[] = [];

  /** The sandbox's `logger` option that feeds this counter. */
  sandboxLogger(): NonNullable<SandboxOptions['logger']> {
    const log = this.log;
    return {
      level: 'info',
      serializers: {
        req: () => ({}),
        res: (reply: { statusCode: number; getHeader(name: string): unknown; request?: { method: string; url: string } }) => ({
          route: `${reply.request?.method ?? '?'} ${routeOf(reply.request?.url ?? '')}`,
          bytes: Number(reply.getHeader('content-length') ?? 0),
        }),
      },
      stream: new Writable({
        write(chunk: Buffer, _encoding, done) {
          const line = chunk.toString('utf8');
          if (line.includes('"request completed"')) {
            const { res } = JSON.parse(line) as { res?: { route: string; bytes: number } };
            if (res && res.route.includes('/api/v1/')) log.push({ route: res.route.replace(/^(\w+) .*?(\/api\/v1\/)/, '$1 $2'), bytes: res.bytes });
          }
          done();
        },
      }),
    } as NonNullable<SandboxOptions['logger']>;
  }

  mark(): number {
    return this.log.length;
  }

  since(mark: number): ProviderCallTally {
    const tally: ProviderCallTally = { calls: 0, bytes: 0, byRoute: {} };
    for (const entry of this.log.slice(mark)) {
      tally.calls += 1;
      tally.bytes += entry.bytes;
      tally.byRoute[entry.route] = (tally.byRoute[entry.route] ?? 0) + 1;
    }
    return tally;
  }
}

/** `/finan/open/api/v1/payouts/6f1c…/otps?x=1` → `/finan/open/api/v1/payouts/:id/otps`. */
export function routeOf(url: string): string {
  return url
    .split('?')[0]!
    .split('/')
    .map((part, i, parts) => (i > 0 && ['payouts', 'payments'].includes(parts[i - 1]!) && part !== '' ? ':id' : part))
    .join('/');
}
