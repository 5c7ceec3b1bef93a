import { DEFAULT_SANDBOX_HOST, DEFAULT_SANDBOX_PORT, startSandbox } from './server';

function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_SANDBOX_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`SANDBOX_PORT must be an integer between 0 and 65535, got "${value}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const sandbox = await startSandbox({
    port: portFromEnv(process.env.SANDBOX_PORT),
    host: process.env.SANDBOX_HOST || DEFAULT_SANDBOX_HOST,
    logger: { level: process.env.SANDBOX_LOG_LEVEL ?? 'info' },
  });
  console.log(`dongflow sandbox listening on ${sandbox.url} (Finan base URL ${sandbox.finanBaseUrl}, Tingee base URL ${sandbox.tingeeBaseUrl})`);

  let closing = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    console.log(`${signal} received, closing the sandbox`);
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('sandbox failed to close', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
