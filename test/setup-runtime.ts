/** Every test process routes the Temporal SDK's logs through a quiet logger (TEST_LOG_LEVEL to see more). */
import { createLogger } from '../config/logger';
import { installTemporalRuntime } from '../workers/logging';

installTemporalRuntime(createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'error' }));
