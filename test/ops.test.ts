import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl, onPostgres } from './support/database.js';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { json } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

/** Health, readiness, metrics and request ids: what operations rely on. */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});

/** The value of one sample in Prometheus text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

const scrape = async () => {
  const res = await svc.call('/metrics', { role: 'admin' });
  expect(res.status).toBe(200);
  return res.text();
};

describe('/healthz and /readyz', () => {
  it('/healthz answers 200 without a key', async () => {
    const res = await svc.call('/healthz', { role: null });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'ok' });
  });

  it("keeps an idle connection open 65 s by default, and says so (above load balancers' 60 s idle timeout)", async () => {
    const agent = new http.Agent({ keepAlive: true });
    const { header, sameSocket } = await new Promise<{ header: string | undefined; sameSocket: boolean }>((resolve, reject) => {
      http
        .get(`${svc.url}/healthz`, { agent }, (first) => {
          first.resume();
          first.on('end', () => {
            const socket = first.socket;
            // a second request a moment later goes over the same connection
            setTimeout(() => {
              http
                .get(`${svc.url}/healthz`, { agent }, (second) => {
                  second.resume();
                  second.on('end', () => resolve({ header: String(first.headers['keep-alive']), sameSocket: second.socket === socket }));
                })
                .on('error', reject);
            }, 50);
          });
        })
        .on('error', reject);
    });
    agent.destroy();
    expect(header).toBe('timeout=65');
    expect(sameSocket).toBe(true);
  });

  it('/readyz answers 200 without a key when the database answers', async () => {
    const res = await svc.call('/readyz', { role: null });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'ready', database: onPostgres() ? 'postgres' : 'pglite' });
  });
});

/**
 * A TCP relay between the service and PostgreSQL that can be cut and restored: the database
 * stops answering (connections reset, new ones refused) exactly as when its host goes away.
 */
async function relay(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await open();
  return {
    get port() {
      return port;
    },
    cut: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server!.close(() => resolve());
      }),
    restore: open,
  };
}

describe('/readyz when the database does not answer', () => {
  it('answers 503, and requests that need the database 503 too, never 500', async () => {
    let target: TestService;
    let cut: () => Promise<void>;
    let restore: (() => Promise<void>) | undefined;
    let dropExtra = async () => {};
    if (onPostgres()) {
      const db = await freshDatabaseUrl();
      const url = new URL(db.url!);
      const r = await relay({ host: url.hostname, port: Number(url.port || 5432) });
      url.port = String(r.port);
      target = await startTestService({ DATABASE_URL: url.toString() });
      cut = r.cut;
      restore = r.restore;
      dropExtra = db.drop;
    } else {
      // the embedded database lives in the process: closing it is the only way it stops answering
      target = await startTestService();
      cut = () => target.deps.database.close();
    }
    try {
      expect((await target.call('/readyz', { role: null })).status).toBe(200);
      await cut();
      const res = await target.call('/readyz', { role: null });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      const text = await res.text();
      // nothing of the driver's message (connect ECONNREFUSED 127.0.0.1:port): only that it is down
      expect(JSON.parse(text)).toEqual({ status: 'unavailable', database: onPostgres() ? 'postgres' : 'pglite', reason: 'database unavailable' });
      expect(text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|closed/);
      // the detail is in the log, under the request's id
      const logged = target.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'readiness: database unavailable' && l.requestId === res.headers.get('x-request-id'));
      expect(logged?.err?.message).toMatch(onPostgres() ? /ECONNREFUSED 127\.0\.0\.1:\d+/ : /^PGlite is closed$/);
      // a key changes nothing: the keys are in the database that does not answer
      const withKey = await target.call('/readyz', { role: 'admin' });
      expect(withKey.status).toBe(503);
      expect((await json(withKey)).reason).toBe('database unavailable');
      expect((await target.call('/healthz', { role: null })).status).toBe(200);
      const post = await target.call('/v1/claims', { json: outpatientClaim() });
      expect(post.status).toBe(503);
      expect((await json(post)).error.code).toBe('unavailable');
      if (restore) {
        await restore();
        expect((await target.call('/readyz', { role: null })).status).toBe(200);
        expect((await target.call('/v1/claims', { json: outpatientClaim() })).status).toBe(200);
      }
    } finally {
      await target.close().catch(() => {});
      await dropExtra();
    }
  });
});

describe('/metrics', () => {
  it('needs an admin or supervisor key', async () => {
    expect((await svc.call('/metrics', { role: null })).status).toBe(401);
    expect((await svc.call('/metrics', { role: 'settlement' })).status).toBe(403);
    expect((await svc.call('/metrics', { role: 'auditor' })).status).toBe(403);
    expect((await svc.call('/metrics', { role: 'supervisor' })).status).toBe(200);
  });

  it('speaks Prometheus text with latency, claims screened by decision, and the pool', async () => {
    const before = await scrape();
    const claims = [inpatientClaim(), inpatientClaim(), outpatientClaim()];
    const decisions: string[] = [];
    for (const claim of claims) decisions.push((await json(await svc.call('/v1/claims', { json: claim }))).decision);
    // a replay and a refusal are not screened claims
    expect((await svc.call('/v1/claims', { json: claims[0] })).headers.get('idempotent-replayed')).toBe('true');
    expect((await svc.call('/v1/claims', { json: { ...claims[0], visitType: 'x' } })).status).toBe(400);
    const streamed = await svc.call('/v1/claims/stream', { method: 'POST', body: [outpatientClaim(), outpatientClaim()].map((c) => JSON.stringify(c)).join('\n') });
    const streamDecisions = (await streamed.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).answer.decision as string);

    const res = await svc.call('/metrics', { role: 'admin' });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const after = await res.text();
    expect(after).toContain('# TYPE http_request_duration_seconds histogram');
    expect(after).toContain('# TYPE claims_screened_total counter');
    expect(after).toMatch(/^# TYPE db_pool_in_flight gauge$/m);
    expect(after).toMatch(/^db_pool_in_flight \d+$/m);
    expect(sample(after, 'db_pool_max')).toBe(onPostgres() ? svc.deps.config.DB_POOL_MAX : 1);

    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    for (const decision of ['pass', 'review', 'withhold']) {
      expect(delta('claims_screened_total', { decision, channel: 'single' }), decision).toBe(decisions.filter((d) => d === decision).length);
      expect(delta('claims_screened_total', { decision, channel: 'stream' }), decision).toBe(streamDecisions.filter((d) => d === decision).length);
    }
    expect(delta('claims_rejected_total', { channel: 'single' })).toBe(1);
    // 5 POSTs to /v1/claims: 3 answered, 1 replayed (all 200), 1 refused
    expect(delta('http_request_duration_seconds_count', { method: 'POST', route: '/v1/claims', status: '200' })).toBe(4);
    expect(delta('http_request_duration_seconds_count', { method: 'POST', route: '/v1/claims', status: '400' })).toBe(1);
    expect(delta('http_request_duration_seconds_bucket', { method: 'POST', route: '/v1/claims', status: '200', le: '+Inf' })).toBe(4);
    expect(delta('http_request_duration_seconds_count', { method: 'POST', route: '/v1/claims/stream', status: '200' })).toBe(1);
  });
});

describe('request ids', () => {
  it('every response carries X-Request-Id and each request logs one line with it', async () => {
    const big = JSON.stringify({ ...inpatientClaim(), departmentCode: 'x'.repeat(2 * 1024 * 1024) });
    const requests: [string, Parameters<TestService['call']>[1]][] = [
      ['/healthz', { role: null }],
      ['/readyz', { role: null }],
      ['/openapi.json', { role: null }],
      ['/docs', { role: null }],
      ['/nowhere', { role: null }],
      ['/v1/claims', { json: inpatientClaim(), role: null }],
      ['/v1/claims', { json: inpatientClaim(), role: 'auditor' }],
      ['/v1/claims', { json: inpatientClaim() }],
      ['/v1/claims', { json: {} }],
      ['/v1/claims', { method: 'POST', body: big, headers: { 'content-type': 'application/json' } }],
      ['/v1/claims/H32010200001/nope', { role: 'auditor' }],
      ['/v1/claims/stream', { method: 'POST', body: JSON.stringify(outpatientClaim()) }],
      ['/metrics', { role: 'admin' }],
    ];
    const seen = new Map<string, number>();
    for (const [path, init] of requests) {
      const res = await svc.call(path, init);
      await res.arrayBuffer();
      const id = res.headers.get('x-request-id');
      expect(id, path).toMatch(/^[0-9a-f-]{36}$/);
      seen.set(id!, res.status);
    }
    expect([...seen.values()]).toEqual([200, 200, 200, 200, 404, 401, 403, 200, 400, 413, 404, 200, 200]);
    const lines = svc.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    for (const [id, status] of seen) {
      const mine = lines.filter((l) => l.requestId === id);
      expect(mine, id).toHaveLength(1);
      expect(mine[0].status).toBe(status);
    }
  });

  it("takes the caller's X-Request-Id when it is well-formed", async () => {
    const res = await svc.call('/v1/claims', { json: outpatientClaim(), headers: { 'x-request-id': 'hospital-batch-0042' } });
    expect(res.headers.get('x-request-id')).toBe('hospital-batch-0042');
    const line = svc.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.requestId === 'hospital-batch-0042');
    expect(line).toMatchObject({ method: 'POST', route: '/v1/claims', status: 200, client: 'test-settlement' });
    const forged = await svc.call('/healthz', { role: null, headers: { 'x-request-id': 'bad id\twith "quotes"' } });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
