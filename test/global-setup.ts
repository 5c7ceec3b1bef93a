/** Makes sure both Temporal binaries exist before any test starts (installing the pinned ones if needed). */
import { temporalCliPath, temporalTestServerPath } from '../scripts/temporal-binaries';

export default function globalSetup(): void {
  process.env.TEMPORAL_CLI_PATH = temporalCliPath();
  process.env.TEMPORAL_TEST_SERVER_PATH = temporalTestServerPath();
}
