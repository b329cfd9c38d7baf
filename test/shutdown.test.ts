import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { seedPgliteDir } from './support/database.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * Graceful shutdown: stop() stops accepting connections, lets every request already started
 * finish (and be stored), then closes the database. The embedded database is on disk here so its
 * rows can be counted after the service has closed it.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'claimscreen-shutdown-'));
let svc: TestService | undefined;
afterAll(async () => {
  await svc?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A request whose body the test writes piece by piece; resolves with status and body. */
function openRequest(url: string, key: string, contentType: string) {
  const req = http.request(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType } });
  const lines: string[] = [];
  let firstLine: () => void = () => {};
  const gotFirstLine = new Promise<void>((resolve) => (firstLine = resolve));
  const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.includes('\n')) firstLine();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  return { req, done, lines, gotFirstLine };
}

describe('graceful shutdown', () => {
  it('finishes every started request with 200, stores it, then refuses new connections', async () => {
    await seedPgliteDir(path.join(dir, 'pglite'));
    svc = await startTestService({ DATA_DIR: dir, SHUTDOWN_GRACE_MS: '30000', STREAM_CONCURRENCY: '4' });
    const { url, keys } = svc;

    // 40 single claims, each with its headers and half its body sent before stop()
    const singles = Array.from({ length: 40 }, (_, i) => (i % 2 ? inpatientClaim() : outpatientClaim()));
    const posts = singles.map((claim) => {
      const body = JSON.stringify(claim);
      const r = openRequest(`${url}/v1/claims`, keys.settlement, 'application/json');
      r.req.write(body.slice(0, body.length >> 1));
      return { ...r, rest: body.slice(body.length >> 1) };
    });

    // a slow stream: 40 claims, one every 25 ms
    const streamed = Array.from({ length: 40 }, () => outpatientClaim());
    const stream = openRequest(`${url}/v1/claims/stream`, keys.settlement, 'application/x-ndjson');
    const writer = (async () => {
      for (const claim of streamed) {
        stream.req.write(`${JSON.stringify(claim)}\n`);
        await sleep(25);
      }
      stream.req.end();
    })();
    await stream.gotFirstLine; // the stream is being answered
    await sleep(100); // and the 40 posts' headers have been read

    const stopped = svc.stop();
    const stoppedAt = performance.now();
    let stopFinished = 0;
    void stopped.then(() => (stopFinished = performance.now()));

    // new connections are refused once stop() has begun
    await sleep(50);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();

    // the started requests finish
    for (const p of posts) p.req.end(p.rest);
    await writer;
    const results = await Promise.all(posts.map((p) => p.done));
    const streamResult = await stream.done;
    const lastAnswer = performance.now();
    await stopped;

    expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(results.map((r) => JSON.parse(r.body).claimId)).toEqual(singles.map((c) => c.claimId));
    expect(streamResult.status).toBe(200);
    const answers = streamResult.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    expect(answers.map((a) => a.answer.claimId)).toEqual(streamed.map((c) => c.claimId));

    // stop() waited for them, then closed their kept-alive connections at once rather than after
    // the server's keepAliveTimeout (65 s; before the fix, with Node's 5 s, it took ~4-5 s more), and never forced any
    // (the server may finish closing a moment before this client has read the last response's
    // end, so the two instants are compared either way round)
    expect(stopFinished).toBeGreaterThan(stoppedAt);
    expect(Math.abs(stopFinished - lastAnswer)).toBeLessThan(2000);
    expect(svc.logs.some((l) => l.includes('grace period over'))).toBe(false);

    // everything answered 200 is stored
    const database = await openDatabase({
      databaseUrl: svc.databaseUrl,
      pgliteDir: path.join(dir, 'pglite'),
      poolMax: 2,
      statementTimeoutMs: 5000,
    });
    try {
      const all = [...singles, ...streamed].map((c) => c.claimId);
      const rows = await database.query<{ n: number }>('select count(*)::int as n from claims where claim_no = any($1)', [all]);
      expect(rows[0]!.n).toBe(80);
    } finally {
      await database.close();
    }
  });
});
