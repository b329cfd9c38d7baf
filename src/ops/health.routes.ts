import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';

/**
 * /healthz: the process answers. /readyz: the database answers too. Neither needs a key, so
 * neither says more than that: why the database did not answer is in the log, not the answer
 * (a key could not be checked anyway while the database that holds the keys is down).
 */
export function registerHealthRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await withTimeout(deps.database.ping(), 2000);
      return c.json({ status: 'ready', database: deps.database.kind });
    } catch (err) {
      // The driver's message names the database's address (connect ECONNREFUSED 10.0.0.5:5432):
      // the probe needs no key, so the detail goes to the log only, under the request's id.
      deps.logger.warn({ err, requestId: c.get('requestId') }, 'readiness: database unavailable');
      c.header('Retry-After', '2');
      return c.json({ status: 'unavailable', database: deps.database.kind, reason: 'database unavailable' }, 503);
    }
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
