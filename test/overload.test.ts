import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { json } from './support/http.js';
import { startTestService, TEST_SECRET, type TestService } from './support/service.js';
import { keyedHash } from '../src/lib/hash.js';

/**
 * Load shedding: MAX_IN_FLIGHT authenticated requests in progress at once; the next is answered
 * 503 with Retry-After at once, before its key is checked or its body read; health and metrics are never shed; once the
 * requests in progress finish, new ones are served. (`npm run chaos -- overload` drives it with
 * hundreds of connections against the service as a process.)
 */
const MAX = 3;
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ MAX_IN_FLIGHT: String(MAX), LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await svc?.close();
});

/**
 * Claims of one person held in progress until `release()`: the test holds the person's lock (a
 * claim whose body is still arriving no longer counts against MAX_IN_FLIGHT: it holds a slot of
 * MAX_RECEIVING, test/slow-clients.test.ts), so each is authenticated, read and waiting its turn.
 */
let release: () => void = () => {};
function heldInProgress(n: number) {
  const gate = new Promise<void>((r) => (release = r));
  const person = '320102195803140012';
  void svc.deps.personLock(keyedHash(TEST_SECRET, person), () => gate);
  return Array.from({ length: n }, () => inpatientClaim()).map(async (claim) => {
    const res = await svc.call('/v1/claims', { json: claim });
    return { status: res.status, text: await res.text() };
  });
}

const metric = async (name: string) => {
  const text = await (await svc.call('/metrics', { role: 'admin' })).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
};

describe('MAX_IN_FLIGHT', () => {
  it('sheds the request past the bound with 503 + Retry-After at once, serves health and metrics, and recovers', async () => {
    const answers = heldInProgress(MAX);
    // the held requests have reached the service
    for (let i = 0; i < 100 && (await metric('http_requests_in_flight')) < MAX; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await metric('http_requests_in_flight')).toBe(MAX);

    const started = performance.now();
    const shed = await svc.call('/v1/claims', { json: outpatientClaim() });
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(shed.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await json(shed)).error.code).toBe('overloaded');
    // a request presenting a key is shed before the key is checked or the body read
    const unchecked = await svc.call('/v1/rules', { role: null, headers: { authorization: 'Bearer not-a-key' } });
    expect(unchecked.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(2000);
    // without a key, a request never takes a slot of MAX_IN_FLIGHT (a bound of its own,
    // MAX_UNAUTHENTICATED: test/slow-clients.test.ts), and is answered what it is
    expect((await svc.call('/v1/rules', { role: null })).status).toBe(401);

    expect((await svc.call('/healthz', { role: null })).status).toBe(200);
    expect((await svc.call('/readyz', { role: null })).status).toBe(200);
    expect(await metric('http_requests_shed_total')).toBe(2);

    release();
    const done = await Promise.all(answers);
    expect(done.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(await metric('http_requests_in_flight_max')).toBe(MAX); // the peak since the previous scrape…
    expect(await metric('http_requests_in_flight')).toBe(0);
    expect(await metric('http_requests_in_flight_max')).toBe(0); // …then what is in progress

    const after = await svc.call('/v1/claims', { json: outpatientClaim() });
    expect(after.status).toBe(200);
  });

  it('a shed claim keeps its connection (its body read and dropped after the 503); a body over 64 KiB closes it', async () => {
    const answers = heldInProgress(MAX);
    for (let i = 0; i < 100 && (await metric('http_requests_in_flight')) < MAX; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await metric('http_requests_in_flight')).toBe(MAX);

    // one socket, kept alive: the requests below go through it one after another
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const url = new URL(svc.url);
    const post = (body: string) =>
      new Promise<{ status: number; connection: string | undefined; reused: boolean; text: string }>((resolve, reject) => {
        const req = http.request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: '/v1/claims',
            headers: { authorization: `Bearer ${svc.keys.settlement}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, reused: req.reusedSocket, text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      const claim = JSON.stringify(outpatientClaim());
      const first = await post(claim);
      expect(first.status).toBe(503);
      expect(first.connection).not.toBe('close');
      const second = await post(claim);
      expect(second.status).toBe(503);
      expect(second.reused).toBe(true);
      // the body of the first was dropped, not taken for the start of the second request
      expect(JSON.parse(second.text).error.code).toBe('overloaded');
      // a large body is not read to keep a connection for a client the service cannot serve
      const large = await post(JSON.stringify({ ...outpatientClaim(), padding: 'x'.repeat(70 * 1024) }));
      expect(large.status).toBe(503);
      expect(large.connection).toBe('close');
    } finally {
      agent.destroy();
      release();
      await Promise.all(answers);
    }
  });
});
