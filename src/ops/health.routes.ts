import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';

/** /healthz: the process answers. /readyz: the database answers too. Neither needs a key. */
export function registerHealthRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await withTimeout(deps.database.ping(), 2000);
      return c.json({ status: 'ready', database: deps.database.kind });
    } catch (err) {
      c.header('Retry-After', '2');
      return c.json({ status: 'unavailable', database: deps.database.kind, reason: (err as Error).message }, 503);
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
