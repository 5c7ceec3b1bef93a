/** Routes the Temporal SDK's own logs (worker, workflow and activity loggers) into dongflow's pino logger. */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Logger } from '../config/logger';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The worker's own chatter (bundle statistics, state changes, queues it deliberately does not poll) is debug detail. */
const ROUTINE = /^(asset workflow-bundle|Workflow bundle created|Worker state changed|No (workflows|activities|Nexus services) registered)/;

export function temporalLogger(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const pinoLevel = ROUTINE.test(message) && (level === 'INFO' || level === 'WARN') ? 'debug' : PINO_LEVEL[level];
    logger[pinoLevel](meta ?? {}, message);
  };
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}

/**
 * Installs the SDK runtime with our logger and, given a port, the SDK's own Prometheus metrics (task latencies,
 * slots, polls) at `http://127.0.0.1:<port>/metrics`. A no-op when this process already installed one.
 */
export function installTemporalRuntime(logger: Logger, opts: { metricsPort?: number } = {}): void {
  try {
    Runtime.install({
      logger: temporalLogger(logger.child({ component: 'temporal-sdk' })),
      ...(opts.metricsPort ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${opts.metricsPort}` } } } } : {}),
    });
  } catch {
    // Already installed (several stacks in one test process): keep the first.
  }
}
