/**
 * Closed-loop load with every request's outcome kept: which claim, what status, how long, the
 * answer. The crash and outage checks need to know exactly which claims were acknowledged, which
 * autocannon does not tell.
 */
import http from 'node:http';

export interface Outcome {
  id: string;
  body: string;
  /** HTTP status; 0 = connection failed or reset, -1 = no answer within the timeout */
  status: number;
  /** when it was sent, ms on performance.now()'s clock */
  at: number;
  ms: number;
  retryAfter: string | undefined;
  replayed: boolean;
  text: string;
}

export interface LoadOptions {
  url: string;
  path?: string;
  headers: Record<string, string>;
  workers: number;
  next(): { id: string; body: string };
  /** checked before each request */
  stopped(): boolean;
  /** a request not answered within this is abandoned and recorded as -1 */
  timeoutMs?: number;
  /** outcomes are appended here as they come (to read them while the load runs) */
  into?: Outcome[];
}

export function send(agent: http.Agent, url: URL, path: string, headers: Record<string, string>, id: string, body: string, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const at = performance.now();
    let settled = false;
    const done = (status: number, text = '', retryAfter?: string, replayed = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ id, body, status, at, ms: performance.now() - at, retryAfter, replayed, text });
    };
    const req = http.request(
      { agent, host: url.hostname, port: url.port, method: 'POST', path, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString(), res.headers['retry-after'] as string | undefined, res.headers['idempotent-replayed'] === 'true'));
        res.on('error', () => done(0));
      },
    );
    const timer = setTimeout(() => {
      done(-1);
      req.destroy();
    }, timeoutMs);
    req.on('error', () => done(0));
    req.end(body);
  });
}

/** Runs `workers` loops, each sending its next request when the last is answered, until stopped. */
export async function closedLoop(o: LoadOptions): Promise<Outcome[]> {
  const url = new URL(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.workers });
  const outcomes: Outcome[] = o.into ?? [];
  await Promise.all(
    Array.from({ length: o.workers }, async () => {
      while (!o.stopped()) {
        const { id, body } = o.next();
        const out = await send(agent, url, o.path ?? '/v1/claims', o.headers, id, body, o.timeoutMs ?? 30_000);
        outcomes.push(out);
        // a refused connection answers in microseconds: do not spin while the service is down
        if (out.status <= 0 || out.status === 503) await new Promise((r) => setTimeout(r, 25));
      }
    }),
  );
  agent.destroy();
  return outcomes;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
