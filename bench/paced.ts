/**
 * An open-loop paced load: request i is due at start + i/rate, whatever happened to the earlier
 * ones, and its latency is counted from that due time (so a stall in the service or in this
 * generator shows up as latency instead of as fewer requests: no coordinated omission).
 * autocannon's `overallRate` is not this: each connection sends its share of a second's quota
 * back to back at the top of every second, then waits.
 *
 * At the end it waits for every request sent, so each 2xx here is a claim the caller knows of.
 */
import http from 'node:http';

export interface PacedOptions {
  url: string;
  path: string;
  headers: Record<string, string>;
  rate: number;
  durationS: number;
  /** at most this many requests on the wire at once; the rest queue (and count as latency) */
  maxSockets: number;
  next(): { id: string; body: string };
  onOk?(id: string): void;
}

export interface PacedResult {
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** seconds from the first due time to the last due time */
  sendSeconds: number;
  /** milliseconds from each request's due time to its complete answer, 2xx only, sorted */
  latencies: Float64Array;
  /** sending stopped early: more than two seconds' worth of requests were waiting for answers */
  overloaded: boolean;
  /** the errors by code (ECONNRESET, ECONNREFUSED, ...) */
  errorCodes: Record<string, number>;
}

export async function pacedRun(o: PacedOptions): Promise<PacedResult> {
  const target = new URL(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets });
  const total = Math.round(o.rate * o.durationS);
  const interval = 1000 / o.rate;
  const latencies: number[] = [];
  let sent = 0,
    ok = 0,
    non2xx = 0,
    errors = 0,
    done = 0,
    overloaded = false;
  const errorCodes: Record<string, number> = {};
  const start = performance.now() + 20;

  await new Promise<void>((resolve) => {
    const finish = () => {
      if (++done === total || (overloaded && done === sent)) resolve();
    };
    const fire = (due: number) => {
      const { id, body } = o.next();
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: o.path,
          headers: { ...o.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.on('data', () => {});
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              ok++;
              latencies.push(performance.now() - due);
              o.onOk?.(id);
            } else non2xx++;
            finish();
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        errors++;
        const code = err.code ?? err.message;
        errorCodes[code] = (errorCodes[code] ?? 0) + 1;
        finish();
      });
      req.end(body);
    };
    const tick = () => {
      if (sent - done > 2 * o.rate) {
        // The service is not keeping up: the latency figure is already meaningless.
        overloaded = true;
        if (done === sent) resolve();
        return;
      }
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) fire(start + sent++ * interval);
      if (sent < total) setTimeout(tick, Math.max(0, Math.min(1, start + sent * interval - performance.now())));
    };
    setTimeout(tick, 20);
  });
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return { sent, ok, non2xx, errors, sendSeconds: (Math.max(1, sent - 1) * interval) / 1000, latencies: sorted, overloaded, errorCodes };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] as number;
}
