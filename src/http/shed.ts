import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './env.js';

/** Never shed: a load balancer's probes and the metrics scrape must be answered however busy the service is. */
const EXEMPT = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Load shedding: at most `max` requests are in progress at once (a stream counts as one
 * until its answer starts; its own window, STREAM_CONCURRENCY, bounds it after). Past it
 * a request is answered 503 with Retry-After at once, before its key is checked or its body read,
 * so overload costs a few microseconds a request instead of a queue that grows without bound and
 * answers everyone late. `observe` hears of each shed request and of the count in progress (metrics).
 */
export function shedLoad(max: number, observe: { shed(): void; inFlight(n: number): void } = { shed() {}, inFlight() {} }) {
  let inFlight = 0;
  const middleware = createMiddleware<AppEnv>(async (c, next) => {
    if (EXEMPT.has(c.req.path)) return next();
    if (inFlight >= max) {
      observe.shed();
      c.header('Retry-After', '1');
      return c.json({ error: { code: 'overloaded', message: `The service is at capacity (${max} requests in progress); retry later`, requestId: c.get('requestId') } }, 503);
    }
    observe.inFlight(++inFlight);
    try {
      await next();
    } finally {
      observe.inFlight(--inFlight);
    }
  });
  return middleware;
}
