/**
 * The institution window's cost as claims are stored: the history read of a claim through the
 * service's repository, with the window's parts read (as the service asks for them: the census of
 * an 800-bed hospital, the admissions of a short stay with an outpatient-treatable diagnosis) and
 * with none, in PostgreSQL CPU a claim, after each step of filling a fresh database with the
 * benchmark's claims (stored through the service's insert, so with everything it stores). The
 * window's share is the difference; a share that grows with the claims stored is a defect.
 * `npx tsx bench/window.ts [--steps 10000,30000] [--reads 2000]`, on the server of DATABASE_URL
 * (default: local). Claims are normalised beforehand: no HTTP, schema or rules.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { decide } from '../rules/decide.js';
import { windowNeeds, type WindowNeeds } from '../rules/institution/needs.js';
import type { ReferenceView } from '../rules/reference.js';
import { buildAnswer } from '../src/claims/answer.js';
import { buildClaimSchema, type ClaimInput } from '../src/claims/claim.schema.js';
import { createClaimsRepository } from '../src/claims/claims.repository.js';
import { normalizeClaim, storableBody } from '../src/claims/normalize.js';
import { openDatabase } from '../src/db/client.js';
import { keyedHash } from '../src/lib/hash.js';
import { createHistoryRepository } from '../src/screening/history.repository.js';
import { claimTemplates, fillClaim } from './claims.js';
import { cpuBetween, cpuSnapshot } from './cpu.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '10000,30000' }, reads: { type: 'string', default: '2000' } } });
const steps = (values.steps ?? '').split(',').map(Number);
const reads = Number(values.reads);

const base = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const name = `cs_bench_window_${Date.now().toString(36)}`;
const admin = postgres(base, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(base);
url.pathname = `/${name}`;
const database = await openDatabase({ databaseUrl: url.toString(), pgliteDir: '', poolMax: 8, statementTimeoutMs: 120_000, queryDeadlineMs: 120_000 });
const secret = 'x'.repeat(40);
const schema = buildClaimSchema({ maxLines: 1000 });
const templates = claimTemplates(1000);
const claimOf = (claimId: string, personId: string, i: number) => {
  const input = schema.parse(JSON.parse(fillClaim(templates[(i * 7919) % templates.length] as string, claimId, personId))) as ClaimInput;
  return { input, claim: normalizeClaim(input, keyedHash(secret, input.insured.id)) };
};
// the benchmark's hospitals have 800 beds (bench/claims.ts) and no doctor is registered
const reference = { doctor: () => undefined, institution: () => ({ beds: 800 }) } as unknown as ReferenceView;
const asked = (c: Parameters<typeof windowNeeds>[0]): WindowNeeds => windowNeeds(c, reference, () => undefined);
const none = (): WindowNeeds => ({ nearby: false, admissions: false, doctor: false, census: 0 });

try {
  const repository = createClaimsRepository({ database, maxBatch: 16 });
  let stored = 0;
  console.log(
    `institution window, history read of ${reads} claims (16 in flight, batches of ≤ 16) after each step of storing the benchmark's claims; ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  for (const upTo of steps) {
    let next = stored;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < upTo) {
          const i = next++;
          const { input, claim } = claimOf(`W-${i}`, `PW-${i}`, i);
          const id = randomUUID();
          const answer = buildAnswer({ id, claim, findings: [], findingIds: [], decision: decide(claim, []), screenedAt: Date.now() });
          await repository.insertScreened({ id, claim, contentHash: keyedHash(secret, id), clientId: null, body: storableBody(input), answer, findings: [], retrospective: [] });
        }
      }),
    );
    stored = upTo;
    await database.query('analyze claims');
    const probes = Array.from({ length: reads }, (_, i) => claimOf(`R-${upTo}-${i}`, `PR-${upTo}-${i}`, i + 17).claim);
    const cost: Record<string, number[]> = { none: [], window: [] };
    // alternately, twice each: the machine's other load moves both alike
    for (const variant of ['none', 'window', 'none', 'window'] as const) {
      const history = createHistoryRepository({ database, windowDays: 90, maxBatch: 16, windowNeeds: variant === 'none' ? none : asked });
      const before = cpuSnapshot();
      const started = performance.now();
      let k = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (k < probes.length) await history.forClaim(probes[k++]!);
        }),
      );
      const cpu = cpuBetween(before, cpuSnapshot(), performance.now() - started, { service: -1, baseline: -1, serviceDb: name, baselineDb: '' });
      if (cpu) cost[variant]?.push((cpu.postgresService / reads) * 1000);
    }
    const mean = (xs: number[] = []) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
    const [n, w] = [mean(cost.none), mean(cost.window)];
    console.log(`  ${String(stored).padStart(7)} claims stored: PostgreSQL CPU a read ${n.toFixed(0)} µs without the window, ${w.toFixed(0)} µs with it: the window ${(w - n).toFixed(0)} µs`);
  }
} finally {
  await database.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
