import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';

/**
 * /healthz: the process answers. /readyz: the database answers too. Neither needs a key, so
 * neither says more than that: why the database did not answer is in the log, not the answer
 * (a key could not be checked anyway while the database that holds the keys is down).
 */
export function registerHealthRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  // Plain routes (no request to validate), described in the document by hand.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/healthz',
    operationId: 'getHealthz',
    tags: ['operations'],
    security: [],
    summary: 'Liveness: the process answers (no key needed)',
    responses: { 200: { description: 'Alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }), example: { status: 'ok' } } } } },
  });
  const Readiness = z.object({
    status: z.enum(['ready', 'unavailable']),
    database: z.enum(['pglite', 'postgres']),
    reason: z.string().optional().openapi({ description: 'when unavailable; why is in the log only' }),
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/readyz',
    operationId: 'getReadyz',
    tags: ['operations'],
    security: [],
    summary: 'Readiness: the database answers within 2 s (no key needed)',
    responses: {
      200: { description: 'Ready', content: { 'application/json': { schema: Readiness, example: { status: 'ready', database: 'postgres' } } } },
      503: {
        description: 'The database did not answer; this body, not ErrorBody, so that a probe reads the same shape either way',
        headers: { 'Retry-After': { $ref: '#/components/headers/Retry-After' } },
        content: { 'application/json': { schema: Readiness, example: { status: 'unavailable', database: 'postgres', reason: 'database unavailable' } } },
      },
    },
  });
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
