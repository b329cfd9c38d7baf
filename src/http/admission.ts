import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { keyActor } from '../auth/middleware.js';
import type { AppDeps } from '../deps.js';
import { createPageSessions, SESSION_COOKIE } from '../page/session.js';
import type { AppEnv } from './env.js';
import { AppError } from './errors.js';

/**
 * A request shed past MAX_IN_FLIGHT with a declared body of at most this many bytes keeps its
 * connection: Node reads and drops the body after the answer. Past MAX_IN_FLIGHT a client is sending
 * claims (a few KB each) as fast as it is answered; closing its connection at every 503 sent it
 * through a new connection's accept each time, and the shed answers waited for the event loop's
 * accepts behind the claims being screened (chaos overload: 503s at p50 147 ms against 40 ms for
 * the 200s). A larger body, or one without a declared length, still closes the connection.
 */
const SHED_KEEP_BYTES = 64 * 1024;
/** Never shed: a load balancer's probes and the metrics scrape must be answered however busy the service is. */
const EXEMPT = new Set(['/healthz', '/readyz', '/metrics']);
/** Paths answered 401 without a valid key: their bodies are never read for a request without one. */
const keyOnly = (path: string) => path.startsWith('/v1/') || path === '/metrics';

export interface AdmissionOptions {
  /** the NDJSON stream: no total size or time; its lines are limited by the route, its rate here */
  streamPath: string;
}

/**
 * Admission: which requests may be in progress, and for how long a body may take to arrive.
 *
 *  - A request presenting a credential (an API key, a page session) takes a slot of MAX_IN_FLIGHT
 *    while the credential is checked (a cache lookup or one indexed query); past the bound it is
 *    answered 503 with Retry-After at once, before the check or its body is read.
 *  - Authenticated, its body is read in full before its handler runs. A body still arriving gives
 *    its MAX_IN_FLIGHT slot back and takes one of MAX_RECEIVING meanwhile: a slow upload holds a
 *    socket and a buffer, never a slot of the work the service bounds.
 *  - Any other request (no credential, or one that does not check out) takes a slot of
 *    MAX_UNAUTHENTICATED instead (waiting for one up to HTTP_BODY_TIMEOUT_MS, then 503), and may
 *    carry UNAUTHENTICATED_BODY_LIMIT_BYTES: keyless traffic, however slow or many, never takes a
 *    slot of authenticated work. Its body is read first too. On the key-only paths (/v1/*) it
 *    takes no slot: the route answers 401 at once without reading the body.
 *  - Every body is held to a deadline: HTTP_BODY_TIMEOUT_MS after the headers, one more second
 *    for every HTTP_BODY_MIN_RATE bytes received, HTTP_REQUEST_TIMEOUT_MS at most; past it 408
 *    and the connection closed. The NDJSON stream has no total: its deadline moves with the
 *    bytes only, counted while the service waits for the client (not while it is busy with the
 *    claims already read); past it the stream's last answer line is a 408.
 *  - A declared Content-Length over the limit is 413 at once on every route, pages included; a
 *    body without one is read up to the limit, then 413. Whenever a body was left unread, the
 *    connection is closed after the answer instead of being drained, but for a request shed past
 *    MAX_IN_FLIGHT with a declared body of at most SHED_KEEP_BYTES, whose body Node drops.
 *
 * Headers are Node's: `headersTimeout` (HTTP_HEADERS_TIMEOUT_MS, src/server.ts) answers 408.
 */
export function admission(deps: AppDeps, options: AdmissionOptions) {
  const cfg = deps.config;
  const load = deps.metrics.load;
  const main = bound(cfg.MAX_IN_FLIGHT, load.inFlight);
  const anonymous = bound(cfg.MAX_UNAUTHENTICATED, load.unauthenticated, PARKED_PER_SLOT * cfg.MAX_UNAUTHENTICATED);
  const receiving = bound(cfg.MAX_RECEIVING, load.receiving);
  const sessions = createPageSessions({ database: deps.database, keys: deps.keys, now: deps.now });
  const anonymousLimit = Math.min(cfg.UNAUTHENTICATED_BODY_LIMIT_BYTES, cfg.BODY_LIMIT_BYTES);
  const watch = watchdog(cfg.HTTP_BODY_TIMEOUT_MS, cfg.HTTP_BODY_MIN_RATE);

  /** true when the request presents a key or page session that checks out */
  const verified = async (c: Context<AppEnv>): Promise<boolean> => {
    const key = keyActor(deps.keys, c);
    if (key && (await key)) return true;
    const session = getCookie(c, SESSION_COOKIE);
    return session !== undefined && (await sessions.actor(session)) !== undefined;
  };
  const presents = (c: Context<AppEnv>) => c.req.header('authorization') !== undefined || getCookie(c, SESSION_COOKIE) !== undefined;

  const shed = (c: Context<AppEnv>, message: string, reason?: 'unauthenticated_full' | 'receiving_full') => {
    if (reason) load.refused(reason);
    else load.shed();
    c.header('Retry-After', '1');
    return c.json({ error: { code: 'overloaded', message, requestId: c.get('requestId') } }, 503);
  };
  const tooLarge = (limit: number, anonymousRequest: boolean) => {
    load.refused('too_large');
    return new AppError('too_large', 'payload_too_large', `The body is larger than ${limit} bytes${anonymousRequest ? ' (the limit without a valid API key or page session)' : ''}`);
  };

  return createMiddleware<AppEnv>(async (c, next) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const path = c.req.path;
    const stream = path === options.streamPath;
    const lengthHeader = c.req.header('content-length');
    const declared = lengthHeader === undefined ? undefined : Number(lengthHeader);
    const hasBody = c.req.header('transfer-encoding') !== undefined || (declared !== undefined && declared > 0);
    const unread = () => hasBody && incoming !== undefined && !incoming.complete;
    const held: Bound[] = [];
    const take = (b: Bound) => (b.take() ? (held.push(b), true) : false);
    const give = (b: Bound) => {
      held.splice(held.indexOf(b), 1);
      b.give();
    };
    try {
      if (declared !== undefined && declared > cfg.BODY_LIMIT_BYTES && !stream) throw tooLarge(cfg.BODY_LIMIT_BYTES, false);
      if (EXEMPT.has(path)) {
        await next();
      } else {
        let authenticated = false;
        if (presents(c)) {
          // a small declared body is dropped by Node and the connection kept (SHED_KEEP_BYTES)
          if (!take(main))
            return closing(
              c,
              () => unread() && !(declared !== undefined && declared <= SHED_KEEP_BYTES),
              shed(c, `The service is at capacity (${cfg.MAX_IN_FLIGHT} requests in progress); retry later`),
            );
          authenticated = await verified(c);
          if (!authenticated) give(main);
        }
        if (!authenticated && keyOnly(path)) {
          // answered 401 by the route at once, its body unread: nothing to bound
        } else if (!authenticated) {
          // A full bound parks the request (a socket, no slot, its body unread) until a slot frees,
          // HTTP_BODY_TIMEOUT_MS at most: a slow client refused at once would come back at once,
          // and a thousand of them reconnecting cost more than a thousand waiting.
          if (!(await anonymous.wait(cfg.HTTP_BODY_TIMEOUT_MS)))
            return closing(c, unread, shed(c, `Too many requests without a valid API key or page session in progress (${cfg.MAX_UNAUTHENTICATED}); retry later`, 'unauthenticated_full'));
          held.push(anonymous);
          if (incoming?.destroyed) return c.body(null, 400);
          if (hasBody && incoming) {
            if (declared !== undefined && declared > anonymousLimit) throw tooLarge(anonymousLimit, true);
            await receive(incoming, anonymousLimit, cfg.HTTP_REQUEST_TIMEOUT_MS, () => tooLarge(anonymousLimit, true));
          }
        } else if (hasBody && incoming && !stream) {
          if (!incoming.complete) {
            give(main);
            if (!take(receiving)) return closing(c, unread, shed(c, `Too many request bodies arriving at once (${cfg.MAX_RECEIVING}); retry later`, 'receiving_full'));
          }
          await receive(incoming, cfg.BODY_LIMIT_BYTES, cfg.HTTP_REQUEST_TIMEOUT_MS, () => tooLarge(cfg.BODY_LIMIT_BYTES, false));
          if (held.includes(receiving)) {
            give(receiving);
            if (!take(main)) return shed(c, `The service is at capacity (${cfg.MAX_IN_FLIGHT} requests in progress); retry later`);
          }
        } else if (stream && incoming && hasBody) {
          watchStream(c, incoming);
        }
        await next();
      }
      // answered without reading the body (401, 403, 404…): close rather than drain it
      if (unread() && !(stream && c.res.status === 200)) {
        c.res.headers.set('Connection', 'close');
        lingerOnClose(incoming!);
      }
    } catch (err) {
      // 408, 413 and the rest: the error handler answers with Connection: close
      if (unread()) lingerOnClose(incoming!);
      throw err;
    } finally {
      for (const b of held) b.give();
    }
  });

  /** Reads the whole body into `incoming.rawBody`, where @hono/node-server takes it from. */
  function receive(incoming: IncomingMessage, limit: number, capMs: number, over: () => AppError): Promise<void> | undefined {
    // A body that arrived with its headers (a claim's usually does) is in the request's buffer
    // already: taken at once, without listeners, a deadline or a turn of the event loop.
    if (incoming.complete && incoming.readableFlowing === null && !incoming.destroyed) {
      if (incoming.readableLength > limit) throw over();
      (incoming as IncomingMessage & { rawBody?: Buffer }).rawBody = (incoming.read() as Buffer | null) ?? Buffer.alloc(0);
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        stop();
        incoming.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
        if (!err) return resolve();
        incoming.pause();
        reject(err);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) return finish(over());
        chunks.push(chunk);
      };
      const onEnd = () => {
        (incoming as IncomingMessage & { rawBody?: Buffer }).rawBody = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
        finish();
      };
      const onGone = () => finish(new AppError('invalid', 'invalid_request', 'The request body ended before it was complete'));
      const stop = watch(incoming, capMs, () => {
        load.refused('body_timeout');
        finish(timedOut(size, capMs));
      });
      incoming.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
      if (incoming.destroyed && !incoming.readableEnded) onGone();
    });
  }

  function timedOut(size: number, capMs: number) {
    return new AppError(
      'timeout',
      'request_timeout',
      `The request body did not arrive in time (${size} bytes received): it must arrive at ${cfg.HTTP_BODY_MIN_RATE} bytes/s or faster after the first ${cfg.HTTP_BODY_TIMEOUT_MS} ms, and in full within ${capMs} ms`,
    );
  }

  /** The stream's body is read by its route: on time out, the route ends the stream with a 408 line. */
  function watchStream(c: Context<AppEnv>, incoming: IncomingMessage) {
    // Not one promise raced against each line's read: every Promise.race with a promise that never
    // settles leaves a reaction on it, and a stream of 200,000 lines held ~2.4 KB a line until it
    // ended (test/stream-volume). Each read waits with a rejecter of its own, removed when it ends.
    let expired: AppError | undefined;
    const waiting = new Set<(err: AppError) => void>();
    streamDeadlines.set(c.req.raw, {
      race<T>(read: Promise<T>): Promise<T> {
        if (expired) return Promise.reject(expired);
        return new Promise<T>((resolve, reject) => {
          waiting.add(reject);
          read.then(
            (value) => (waiting.delete(reject), resolve(value)),
            (err: unknown) => (waiting.delete(reject), reject(err)),
          );
        });
      },
    });
    const expire = (err: AppError) => {
      expired = err;
      for (const reject of waiting) reject(err);
      waiting.clear();
    };
    const stop = watch(incoming, Number.POSITIVE_INFINITY, () => {
      load.refused('body_timeout');
      expire(timedOut(incoming.socket?.bytesRead ?? 0, Number.POSITIVE_INFINITY));
      // the 408 line is written, then the connection closed (a client too slow to send may be too slow to read)
      const outgoing = (c.env as { outgoing?: { once(e: string, f: () => void): void } } | undefined)?.outgoing;
      outgoing?.once('finish', () => incoming.socket?.destroy());
      setTimeout(() => incoming.socket?.destroy(), 5000).unref();
    });
    incoming.once('end', stop).once('close', stop);
  }
}

/** The stream's body deadline: `race(read)` is `read`, or a 408 error once the body falls behind. */
export interface StreamDeadline {
  race<T>(read: Promise<T>): Promise<T>;
}
const streamDeadlines = new WeakMap<object, StreamDeadline>();
/** The deadline of the stream's body (src/claims/stream.routes.ts), when admission watches it. */
export function streamDeadline(c: Context): StreamDeadline | undefined {
  return streamDeadlines.get(c.req.raw);
}

/** Replaces the request's answer by `res`, closing the connection when the body was left unread. */
function closing(c: Context<AppEnv>, unread: () => boolean, res: Response): Response {
  if (unread()) {
    res.headers.set('Connection', 'close');
    lingerOnClose((c.env as { incoming: IncomingMessage }).incoming);
  }
  return res;
}

/**
 * A connection closed while the client is still sending: Node would end it and destroy it at once,
 * and the kernel answers the bytes still arriving with a reset, which can make the client lose the
 * answer before it has read it (a 413 seen as ECONNRESET). Instead, as web servers do ("lingering
 * close"): the answer, then the end of our side, what the client still sends read and dropped
 * (the request is being dumped by Node), and the socket destroyed when the client closes its side
 * or after LINGER_MS at most.
 */
const LINGER_MS = 1000;
function lingerOnClose(incoming: IncomingMessage) {
  const socket = incoming.socket as (IncomingMessage['socket'] & { destroySoon?: () => void; lingering?: true }) | null;
  if (!socket || socket.lingering || socket.destroyed) return;
  socket.lingering = true;
  socket.destroySoon = function destroySoon(this: typeof socket) {
    if (!this) return;
    const timer = setTimeout(() => this.destroy(), LINGER_MS).unref();
    this.once('close', () => clearTimeout(timer));
    if (this.writable) this.end();
  };
}

/** requests without a credential parked for a slot, per slot of MAX_UNAUTHENTICATED (1,024 at the default 32) */
const PARKED_PER_SLOT = 32;

interface Bound {
  take(): boolean;
  /** a slot now, or the first one given back within `ms` (false: none, or `maxWaiting` already wait) */
  wait(ms: number): Promise<boolean>;
  give(): void;
}
function bound(max: number, observe: (n: number) => void, maxWaiting = 0): Bound {
  let n = 0;
  const waiting: (() => void)[] = [];
  return {
    take: () => (n < max ? (observe(++n), true) : false),
    wait(ms) {
      if (n < max) return Promise.resolve((observe(++n), true));
      if (waiting.length >= maxWaiting) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          observe(++n);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(wake), 1);
          resolve(false);
        }, ms);
        waiting.push(wake);
      });
    },
    give() {
      observe(--n);
      waiting.shift()?.();
    },
  };
}

/**
 * One timer for every body in progress (a body that came with its headers is done before it
 * ticks). A body's deadline: `initialMs` after it started, plus a second for every `minRate` bytes
 * received, `capMs` at most. Time the service is not reading (the stream's window is full: the
 * request is paused, or holds bytes not taken yet) does not count.
 */
function watchdog(initialMs: number, minRate: number, tickMs = 250) {
  interface Entry {
    incoming: IncomingMessage;
    base: number;
    start: number;
    last: number;
    credit: number;
    capMs: number;
    expire(): void;
  }
  const entries = new Set<Entry>();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const now = performance.now();
    for (const e of entries) {
      if (e.incoming.isPaused() || e.incoming.readableLength > 0) e.credit += now - e.last;
      e.last = now;
      const received = (e.incoming.socket?.bytesRead ?? e.base) - e.base;
      const deadline = Math.min(e.start + e.capMs, e.start + e.credit + initialMs + (received * 1000) / minRate);
      if (now > deadline) {
        entries.delete(e);
        e.expire();
      }
    }
    if (entries.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  return (incoming: IncomingMessage, capMs: number, expire: () => void): (() => void) => {
    const now = performance.now();
    const entry: Entry = { incoming, base: incoming.socket?.bytesRead ?? 0, start: now, last: now, credit: 0, capMs, expire };
    entries.add(entry);
    timer ??= setInterval(tick, tickMs).unref();
    return () => entries.delete(entry);
  };
}
