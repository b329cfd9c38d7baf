import { ConfigError, loadConfig } from './config.js';
import { DataDirBusyError } from './db/owner-lock.js';
import { createLogger } from './logger.js';
import { startService } from './server.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
const logger = createLogger(config.LOG_LEVEL);
const service = await startService(config, logger).catch((err: unknown) => {
  if (!(err instanceof DataDirBusyError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    service.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
