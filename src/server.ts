import { createAdaptorServer, type ServerType } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { buildDeps, openConfiguredDatabase, resolvePersonIdSecret, reviewSessionSettings } from './compose.js';
import type { Config } from './config.js';
import { createLogger } from './logger.js';
import type { AppDeps } from './deps.js';

export interface RunningService {
  url: string;
  deps: AppDeps;
  /** stops accepting connections, finishes in-flight requests, then closes the database */
  stop(): Promise<void>;
}

export async function startService(config: Config, logger: Logger = createLogger(config.LOG_LEVEL)): Promise<RunningService> {
  const secret = config.DATABASE_URL ? (config.PERSON_ID_SECRET as string) : resolvePersonIdSecret(config);
  const database = await openConfiguredDatabase(config, reviewSessionSettings(config, secret));
  const deps = buildDeps(config, database, logger, secret);
  await Promise.all([deps.partitions.start(), deps.referenceCache.start(), deps.ruleSettings.start(), deps.providerScores.start()]);
  deps.ruleErrors.start();
  deps.review.sealer.start();
  deps.review.closer.start();
  const app = createApp(deps);
  const server = await new Promise<ServerType>((resolve) => {
    // Node's own requestTimeout would end every request not fully received within it, the NDJSON
    // stream too: it stays off, and src/http/admission.ts holds each body to its deadline instead.
    // Headers are Node's: all of them within HTTP_HEADERS_TIMEOUT_MS of the request's first byte,
    // or 408, checked every second (Node's default interval is 30 s). An idle keep-alive connection
    // is not a request in progress: headersTimeout counts from a request's first byte, so it may be
    // below keepAliveTimeout (test/slow-clients.test.ts). An idle keep-alive connection is kept
    // HTTP_KEEP_ALIVE_TIMEOUT_MS (65 s), longer than the idle timeout of the load balancers and
    // clients in front (commonly 60 s): with Node's 5 s, a client reusing a connection just as the
    // service closes it gets ECONNRESET.
    // The listen backlog at the kernel's usual cap (somaxconn, 4096) rather than Node's 511: with
    // a thousand slow clients reconnecting, a full accept queue drops connections, and a claim
    // that needs a new one waits out a SYN retransmission (1 s and more).
    const s = createAdaptorServer({
      fetch: app.fetch,
      hostname: config.HOST,
      serverOptions: {
        requestTimeout: 0,
        headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
        connectionsCheckingInterval: Math.min(1000, config.HTTP_HEADERS_TIMEOUT_MS),
        keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      },
    });
    s.listen({ port: config.PORT, host: config.HOST, backlog: 4096 }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST}:${port}`;
  logger.info({ url, database: database.kind }, 'claimscreen listening');
  // A command refused the embedded database reads where to reach its owner from the lock file.
  database.announce?.({ command: 'claimscreen service', url: `http://${['0.0.0.0', '::'].includes(config.HOST) ? '127.0.0.1' : config.HOST}:${port}` });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: finishing in-flight requests');
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          logger.warn('grace period over: closing remaining connections');
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        }, config.SHUTDOWN_GRACE_MS);
        force.unref();
        // A connection whose request was in flight stays open after its answer (keep-alive) until
        // keepAliveTimeout: close each connection as soon as it falls idle instead.
        const closeIdle = () => (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        const sweep = setInterval(closeIdle, 50);
        sweep.unref();
        server.close(() => {
          clearTimeout(force);
          clearInterval(sweep);
          resolve();
        });
        closeIdle();
      });
      deps.referenceCache.stop();
      deps.ruleSettings.stop();
      deps.providerScores.stop();
      await deps.ruleErrors.stop();
      await deps.review.closer.stop();
      await deps.partitions.stop();
      await deps.review.sealer.stop();
      await database.close();
      logger.info('stopped');
    })());
  return { url, deps, stop };
}
