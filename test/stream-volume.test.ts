import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from './support/database.js';
import { inpatientClaim } from './support/claims.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * The stream's memory stays flat however long it runs: 200,000 claims (the number the issue
 * names) through one POST /v1/claims/stream, generated lazily, written with backpressure while
 * the answers are read.
 *
 * RSS of this process (the service runs in it) is sampled at 10% and 100% of the answers. The
 * bound, 150 MB of growth between the samples: what the stream itself holds is a window of
 * STREAM_CONCURRENCY claims in flight (each line at most BODY_LIMIT_BYTES) and no output buffer
 * (answers are pulled), a few MB; GC timing, malloc arenas and driver buffers move RSS by tens of
 * MB (20-40 MB measured). Keeping anything per claim would cross it: the 180,000 claims between
 * the samples are ~1.3 KB of input and ~0.5 KB of answer each, so a leak of either — or of 1 KB
 * of anything per claim — is 180 MB or more.
 *
 * The stored claims must not count as the stream's memory. PostgreSQL keeps them in its own
 * processes; the embedded PGlite would keep them in this one (in memory:// its files are
 * ArrayBuffers, ~10-20 KB per claim with WAL), so here its data directory is on tmpfs
 * (/dev/shm): outside this process's RSS, as a disk-backed directory would be, and about as fast
 * as memory://.
 */
const N = 200_000;
const SAMPLE_AT = N / 10;

const shm = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const dataDir = onPostgres() ? undefined : mkdtempSync(path.join(shm, 'claimscreen-volume-'));

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ ...(dataDir ? { DATA_DIR: dataDir } : {}), LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await svc?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The i-th claim: each its own claim id and person, the same shape as a real inpatient claim. */
const template = inpatientClaim();
function* claimLines(): Generator<string> {
  for (let i = 0; i < N; i++) {
    yield `${JSON.stringify({ ...template, claimId: `VOL-${i}`, insured: { ...template.insured, id: `V${i}` } })}\n`;
  }
}

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;

describe('a long NDJSON stream', () => {
  it(
    `answers ${N.toLocaleString('en')} claims in order with flat memory`,
    async () => {
      const started = performance.now();
      const memory: { at: number; rss: number; heapUsed: number; external: number }[] = [];
      const sample = (at: number) => {
        const m = process.memoryUsage();
        memory.push({ at, rss: m.rss, heapUsed: m.heapUsed, external: m.external });
      };
      sample(0);

      const req = http.request(`${svc.url}/v1/claims/stream`, {
        method: 'POST',
        headers: { authorization: `Bearer ${svc.keys.settlement}`, 'content-type': 'application/x-ndjson' },
      });
      let answered = 0;
      let firstWrong: string | undefined;
      let atTenPercent = 0;
      const reading = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => {
          expect(res.statusCode).toBe(200);
          res.setEncoding('utf8');
          let rest = '';
          res.on('data', (chunk: string) => {
            rest += chunk;
            let newline: number;
            while ((newline = rest.indexOf('\n')) >= 0) {
              const line = rest.slice(0, newline);
              rest = rest.slice(newline + 1);
              answered++;
              // {"line":n,"status":200,"answer":{"id":"…","institutionId":"…","claimId":"VOL-n-1",…
              const ok = line.startsWith(`{"line":${answered},"status":200,`) && line.includes(`"claimId":"VOL-${answered - 1}"`);
              if (!ok) firstWrong ??= line.slice(0, 300);
              if (answered === SAMPLE_AT) {
                atTenPercent = performance.now();
                sample(answered);
              } else if (answered % 20_000 === 0) sample(answered);
            }
          });
          res.on('end', () => resolve(answered));
          res.on('error', reject);
        });
        req.on('error', reject);
      });
      const writing = (async () => {
        for (const line of claimLines()) if (!req.write(line)) await once(req, 'drain');
        req.end();
      })();

      await writing;
      expect(await reading).toBe(N);
      sample(N);
      const seconds = (performance.now() - started) / 1000;
      expect(firstWrong).toBeUndefined();

      const ten = memory.find((m) => m.at === SAMPLE_AT)!;
      const end = memory[memory.length - 1]!;
      const growth = end.rss - ten.rss;
      console.info(
        `stream of ${N} claims on ${onPostgres() ? 'PostgreSQL' : 'PGlite'}: ${seconds.toFixed(1)} s, ` +
          `${Math.round(N / seconds)} claims/s (first 10%: ${((atTenPercent - started) / 1000).toFixed(1)} s); ` +
          `RSS at 10% ${mb(ten.rss)} MB, at 100% ${mb(end.rss)} MB, growth ${mb(growth)} MB, max ${mb(Math.max(...memory.map((m) => m.rss)))} MB; ` +
          `heap used ${mb(ten.heapUsed)} -> ${mb(end.heapUsed)} MB; external ${mb(ten.external)} -> ${mb(end.external)} MB`,
      );
      expect(growth).toBeLessThan(150e6);

      const rows = await svc.deps.database.query<{ n: number }>("select count(*)::int as n from claims where claim_no like 'VOL-%'");
      expect(rows[0]!.n).toBe(N);
    },
    60 * 60_000,
  );
});
