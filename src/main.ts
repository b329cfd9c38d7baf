import cluster from 'node:cluster';
import os from 'node:os';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DataDirBusyError } from './db/owner-lock.js';
import { createLogger } from './logger.js';
import { startService } from './server.js';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
const workers = config.WORKERS === 'auto' ? os.availableParallelism() : config.WORKERS;
const logger = createLogger(config.LOG_LEVEL);

if (workers > 1 && cluster.isPrimary) superviseWorkers(config, workers, logger);
else await serve(cluster.isWorker ? logger.child({ worker: cluster.worker?.id, pid: process.pid }) : logger);

/** One service: the whole of it, or one worker of several. SIGTERM/SIGINT stop it gracefully. */
async function serve(log: Logger) {
  const service = await startService(config, log).catch((err: unknown) => {
    if (!(err instanceof DataDirBusyError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      service.stop().then(
        () => process.exit(0),
        (err) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

/**
 * WORKERS > 1: this process only keeps `workers` worker processes running, each a whole service
 * (its own pool, caches and background jobs) listening on the same port, which node:cluster hands
 * connections to in turn. They share nothing but the database: one person's claims stay ordered
 * across them by the person's version, as across nodes (src/claims/claims.repository.ts), and the
 * background jobs already run safely on several nodes at once (advisory locks). A worker that dies
 * is replaced; one that cannot start stops them all. SIGTERM or SIGINT stops every worker
 * gracefully (each finishes its requests in flight), then this process.
 */
function superviseWorkers(config: Config, count: number, log: Logger) {
  let stopping = false;
  let failed = false;
  const listening = new Set<number>();
  const fork = () =>
    cluster.fork().once('listening', function (this: { id: number }) {
      listening.add(this.id);
    });

  cluster.on('exit', (worker, code, signal) => {
    const started = listening.delete(worker.id);
    if (stopping) {
      if (code !== 0) failed = true;
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        log.info('all workers stopped');
        process.exit(failed ? 1 : 0);
      }
      return;
    }
    if (!started) {
      // it never served: its configuration or the database is wrong, and a new one would fail alike
      log.error({ worker: worker.id, code, signal }, 'a worker failed to start: stopping the others');
      failed = true;
      stop();
      return;
    }
    log.error({ worker: worker.id, code, signal }, 'a worker died: starting another');
    setTimeout(() => {
      if (!stopping) fork();
    }, 500).unref();
  });

  const stop = () => {
    if (stopping) return;
    stopping = true;
    log.info({ workers: Object.keys(cluster.workers ?? {}).length }, 'shutting down: stopping every worker');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failed ? 1 : 0);
    // a worker stuck past its own grace period is killed
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    }, config.SHUTDOWN_GRACE_MS + 5000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  log.info({ workers: count }, `starting ${count} workers`);
  for (let i = 0; i < count; i++) fork();
}
