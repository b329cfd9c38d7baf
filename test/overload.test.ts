import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { json } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * Load shedding: MAX_IN_FLIGHT requests in progress at once; the next is answered 503 with
 * Retry-After at once, without its body being read; health and metrics are never shed; once the
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

/** A POST whose headers and half its body are sent: in progress until `finish()`. */
function halfSent(body: string) {
  const url = new URL(`${svc.url}/v1/claims`);
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: `Bearer ${svc.keys.settlement}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, body.length >> 1));
    held.push(() => req.end(body.slice(body.length >> 1)));
  });
  return answer;
}
const held: (() => void)[] = [];

const metric = async (name: string) => {
  const text = await (await svc.call('/metrics', { role: 'admin' })).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
};

describe('MAX_IN_FLIGHT', () => {
  it('sheds the request past the bound with 503 + Retry-After at once, serves health and metrics, and recovers', async () => {
    const bodies = Array.from({ length: MAX }, () => JSON.stringify(inpatientClaim()));
    const answers = bodies.map(halfSent);
    // the held requests have reached the service
    for (let i = 0; i < 100 && (await metric('http_requests_in_flight')) < MAX; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await metric('http_requests_in_flight')).toBe(MAX);

    const started = performance.now();
    const shed = await svc.call('/v1/claims', { json: outpatientClaim() });
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(shed.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await json(shed)).error.code).toBe('overloaded');
    // without a key too: shedding comes before authentication
    const anonymous = await svc.call('/v1/rules', { role: null });
    expect(anonymous.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(2000);

    expect((await svc.call('/healthz', { role: null })).status).toBe(200);
    expect((await svc.call('/readyz', { role: null })).status).toBe(200);
    expect(await metric('http_requests_shed_total')).toBe(2);

    for (const finish of held) finish();
    const done = await Promise.all(answers);
    expect(done.map((a) => a.status)).toEqual(bodies.map(() => 200));
    expect(await metric('http_requests_in_flight_max')).toBe(MAX); // the peak since the previous scrape…
    expect(await metric('http_requests_in_flight')).toBe(0);
    expect(await metric('http_requests_in_flight_max')).toBe(0); // …then what is in progress

    const after = await svc.call('/v1/claims', { json: outpatientClaim() });
    expect(after.status).toBe(200);
  });
});
