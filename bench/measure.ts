/** Measuring helpers for the benchmark: process RSS/CPU from /proc, the dev server's SQLite mode, what a history tells. */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
type Timestamp = temporal.api.history.v1.IHistoryEvent['eventTime'];
const EventType = temporal.api.enums.v1.EventType;

export const MB = 1024 * 1024;

/** VmRSS of a process in bytes (undefined when it is gone). */
export function processRss(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU time of a process in milliseconds, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** This process's CPU time (user + system) in milliseconds. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The `temporal server start-dev` process whose command line mentions `dataDir`, with its arguments. */
export function findDevServer(dataDir: string): { pid: number; args: string[] } | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue;
    }
    if (args.includes('start-dev') && args.some((arg) => arg.includes(dataDir))) return { pid: Number(entry), args };
  }
  return undefined;
}

/** The SQLite set-up the dev server actually runs with, read from its command line. */
export function sqliteMode(args: string[]): string {
  const valueOf = (flag: string) => args.flatMap((arg, i) => (arg === flag && args[i + 1] ? [args[i + 1]!] : []));
  const file = valueOf('--db-filename')[0];
  const pragmas = valueOf('--sqlite-pragma');
  return `${file ? 'file' : 'in-memory'}${pragmas.length ? `, ${pragmas.join(', ')}` : ', default pragmas'}`;
}

/** Peak RSS of this process and of the server while a phase runs. */
export function rssSampler(serverPid: number, everyMs = 200) {
  let ownPeak = process.memoryUsage().rss;
  let serverPeak = processRss(serverPid) ?? 0;
  const timer = setInterval(() => {
    ownPeak = Math.max(ownPeak, process.memoryUsage().rss);
    serverPeak = Math.max(serverPeak, processRss(serverPid) ?? 0);
  }, everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      return { ownPeak: Math.max(ownPeak, process.memoryUsage().rss), serverPeak: Math.max(serverPeak, processRss(serverPid) ?? 0) };
    },
  };
}

function ms(ts: Timestamp): number {
  if (!ts) return Number.NaN;
  return Number(String(ts.seconds ?? 0)) * 1000 + (ts.nanos ?? 0) / 1e6;
}

export interface HistoryFacts {
  events: number;
  /** Activity scheduled → (last attempt) started, ms: includes retry backoff when an attempt was retried. */
  activityScheduleToStart: number[];
  /** Workflow task scheduled → started, ms (tasks that made it into history). */
  workflowTaskScheduleToStart: number[];
  /** Activity attempts beyond the first (polling by retry shows up here, not as events). */
  activityRetries: number;
}

export function historyFacts(history: History): HistoryFacts {
  const events = history.events ?? [];
  const scheduledAt = new Map<string, number>();
  const facts: HistoryFacts = { events: events.length, activityScheduleToStart: [], workflowTaskScheduleToStart: [], activityRetries: 0 };
  for (const event of events) {
    const at = ms(event.eventTime);
    switch (event.eventType) {
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        scheduledAt.set(String(event.eventId), at);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const attrs = event.activityTaskStartedEventAttributes;
        const scheduled = scheduledAt.get(String(attrs?.scheduledEventId));
        if (scheduled !== undefined) facts.activityScheduleToStart.push(at - scheduled);
        facts.activityRetries += Math.max(0, (attrs?.attempt ?? 1) - 1);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        const scheduled = scheduledAt.get(String(event.workflowTaskStartedEventAttributes?.scheduledEventId));
        if (scheduled !== undefined) facts.workflowTaskScheduleToStart.push(at - scheduled);
        break;
      }
      default:
        break;
    }
  }
  return facts;
}
