/**
 * `npm run bench:review`: the review queue with 10,000 open cases, against real PostgreSQL
 * (durable commits). The service runs as a child process on a fresh database; this process seeds
 * the cases and generates the load. Printed beside baselines measured in the same run (the machine
 * may be shared): GET /healthz (no database) and GET /v1/review/me (a key and one query).
 *
 *   queue: the first page of GET /v1/review/cases (open, 50 a page), 100 requests one at a time, p99 < 300 ms
 *   draw:  POST /v1/review/draw by 20 auditors at once, p99 < 50 ms, measured two ways:
 *          - together: the 20 auditors claim at the same instant, all of them, in rounds (a pause of
 *            --pause ms between rounds, so each starts from a service at rest) until --draws cases are
 *            drawn. The goal is judged on this: 20 people claiming at once, on the same queue head.
 *          - back to back: each of the 20 draws again the moment its last draw answers, until
 *            --draws cases are drawn. Each "auditor" then claims 35-50 cases a second and the
 *            machine is saturated (700-960/s measured), so the p99 is mostly the queue for a core: 20 in flight ÷ the
 *            throughput is the mean wait (Little's law), whatever the draw itself costs.
 *          then how soon the service has sealed the trail's entries, and whether the chain verifies
 *
 * Flags: --cases <n> (10000) --auditors <n> (20) --draws <n> (2000) --requests <n> (100) --pause <ms> (100) --keep
 * Env:   DATABASE_URL (a server to create the database on; default the local PostgreSQL)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { createApiKeyStore } from '../src/auth/api-keys.js';
import { openConfiguredDatabase } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { verifyTrail } from '../src/review/trail.js';
import { cpuBetween, cpuSnapshot, type CpuUse } from './cpu.js';
import { percentile } from './paced.js';
import { seedCases } from './review-seed.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    auditors: { type: 'string', default: '20' },
    draws: { type: 'string', default: '2000' },
    requests: { type: 'string', default: '100' },
    pause: { type: 'string', default: '100' },
    keep: { type: 'boolean', default: false },
  },
});
const opts = { cases: Number(values.cases), auditors: Number(values.auditors), draws: Number(values.draws), requests: Number(values.requests), pause: Number(values.pause) };
const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const SECRET = randomBytes(32).toString('hex');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const summary = (ms: number[]) => {
  const sorted = Float64Array.from(ms).sort();
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 };
};
const fmt = (s: ReturnType<typeof summary>) => `n ${s.n}  p50 ${s.p50.toFixed(1)} ms  p99 ${s.p99.toFixed(1)} ms  max ${s.max.toFixed(1)} ms`;

// Requests go through node:http with a keep-alive agent rather than fetch: on this 2-core machine the
// load generator shares the cores with the service and PostgreSQL, and fetch (undici's WHATWG
// layer) spent about twice the CPU per request that node:http does, which showed up as the
// service's latency. Both the baselines and the measured endpoints use the same client.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function timed(url: string, key: string | null, init: { method?: string } = {}) {
  const t = performance.now();
  return new Promise<{ ms: number; status: number }>((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', agent, headers: key ? { authorization: `Bearer ${key}` } : {} }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 400) reject(new Error(`${init.method ?? 'GET'} ${url}: ${status}`));
        else resolve({ ms: performance.now() - t, status });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

// Where the machine's CPU went, per request: on 2 shared cores the p99 under 20 concurrent clients is
// mostly waiting for a core, so these say which process the time went to.
function cpuText(cpu: CpuUse | undefined, n: number) {
  if (!cpu || n === 0) return 'n/a (no /proc)';
  const per = (ms: number) => `${((ms / n) * 1000).toFixed(0)} µs`;
  const capacity = cpu.wallMs * os.cpus().length;
  return `service ${per(cpu.service)}, postgres ${per(cpu.postgresService)} + shared ${per(cpu.postgresShared)}, load generator ${per(cpu.generator)}; other processes ${((cpu.other / capacity) * 100).toFixed(0)}% of the machine`;
}

async function sequential(n: number, run: () => Promise<{ ms: number }>) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await run()).ms);
  return summary(out);
}

async function concurrent(workers: number, total: number, run: (w: number) => Promise<{ ms: number; status: number }>) {
  const out: number[] = [];
  let started = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (started < total) {
        started++;
        const r = await run(w);
        out.push(r.ms);
      }
    }),
  );
  return { ...summary(out), perSecond: (out.length / (performance.now() - t)) * 1000 };
}

/** All `workers` at the same instant, waiting for the slowest, then a pause; until `total` requests. */
async function together(workers: number, total: number, pauseMs: number, run: (w: number) => Promise<{ ms: number; status: number }>) {
  const out: number[] = [];
  while (out.length < total) {
    const round = await Promise.all(Array.from({ length: Math.min(workers, total - out.length) }, (_, w) => run(w)));
    for (const r of round) out.push(r.ms);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  return summary(out);
}

const name = `cs_bench_review_${randomBytes(4).toString('hex')}`;
const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(BASE_URL);
url.pathname = `/${name}`;
const env = { DATABASE_URL: url.toString(), PERSON_ID_SECRET: SECRET, LOG_LEVEL: 'warn', DATA_DIR: 'memory://' };
const config = loadConfig(env);
const database = await openConfiguredDatabase(config);
let child: ReturnType<typeof spawn> | undefined;
try {
  process.stdout.write(`seeding ${opts.cases} open cases… `);
  let t = performance.now();
  await seedCases(database, opts.cases);
  // As autovacuum leaves a database in steady state: statistics and the visibility map for the
  // freshly loaded tables. Otherwise autovacuum and auto-analyze start on them about a minute in,
  // in the middle of the measurement (their CPU was counted as the draws', and it varied 2× run to run).
  await database.query('vacuum analyze');
  process.stdout.write(`${((performance.now() - t) / 1000).toFixed(1)} s (then vacuum analyze)\n`);
  const keys = createApiKeyStore({ database, cacheTtlMs: 0 });
  const auditorKeys: string[] = [];
  for (let i = 0; i < opts.auditors; i++) auditorKeys.push((await keys.create({ clientName: `Auditor ${i + 1}`, role: 'auditor', createdBy: 'bench' })).key);
  const supervisor = (await keys.create({ clientName: 'Supervisor', role: 'supervisor', createdBy: 'bench' })).key;

  const port = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (t = performance.now(); ;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (performance.now() - t > 120_000) throw new Error('the service did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  // warm-up
  for (let i = 0; i < 20; i++) {
    await timed(`${base}/v1/review/cases?status=open&limit=50`, supervisor);
    await timed(`${base}/v1/review/me`, supervisor);
  }

  const healthz = await sequential(opts.requests, () => timed(`${base}/healthz`, null));
  const me = await sequential(opts.requests, () => timed(`${base}/v1/review/me`, supervisor));
  const queue = await sequential(opts.requests, () => timed(`${base}/v1/review/cases?status=open&limit=50`, supervisor));
  const filtered = await sequential(opts.requests, () => timed(`${base}/v1/review/cases?status=open&reason=finding&institutionId=H00000000007&limit=50`, supervisor));
  const roles = { service: child.pid ?? -1, baseline: -1, serviceDb: name, baselineDb: '' };
  let before = cpuSnapshot();
  let started = performance.now();
  const meConcurrent = await concurrent(opts.auditors, opts.draws, (w) => timed(`${base}/v1/review/me`, auditorKeys[w]!));
  const meCpu = cpuBetween(before, cpuSnapshot(), performance.now() - started, roles);
  // Warm-up of the draw, as of the endpoints above: the first draws on each pooled connection plan
  // their statement and the service's route runs cold (the first round of 20 took 73 ms, the
  // next ones 20-38 ms). Two rounds, printed apart, not counted.
  const drawWarmup = await together(opts.auditors, opts.auditors * 2, opts.pause, (w) => timed(`${base}/v1/review/draw`, auditorKeys[w]!, { method: 'POST' }));
  const meTogether = await together(opts.auditors, opts.draws, opts.pause, (w) => timed(`${base}/v1/review/me`, auditorKeys[w]!));
  before = cpuSnapshot();
  started = performance.now();
  const drawsTogether = await together(opts.auditors, opts.draws, opts.pause, (w) => timed(`${base}/v1/review/draw`, auditorKeys[w]!, { method: 'POST' }));
  const togetherCpu = cpuBetween(before, cpuSnapshot(), performance.now() - started, roles);
  before = cpuSnapshot();
  started = performance.now();
  const draws = await concurrent(opts.auditors, opts.draws, (w) => timed(`${base}/v1/review/draw`, auditorKeys[w]!, { method: 'POST' }));
  const drawCpu = cpuBetween(before, cpuSnapshot(), performance.now() - started, roles);

  // The service seals the trail after each commit: how long after the last draw is all of it sealed, and does it verify?
  t = performance.now();
  let trail = await verifyTrail(database);
  while (trail.ok && trail.pending > 0 && performance.now() - t < 10_000) {
    await new Promise((r) => setTimeout(r, 20));
    trail = await verifyTrail(database);
  }
  const sealLag = performance.now() - t;
  const drawn = await database.query<{ n: number; people: number }>(`select count(*)::int as n, count(distinct assignee)::int as people from review_cases where status = 'assigned'`);
  const open = await database.query<{ n: number }>(`select count(*)::int as n from review_cases where status = 'open'`);
  const out = (l: string) => process.stdout.write(`${l}\n`);
  out(`\nreview queue benchmark: ${opts.cases} cases, PostgreSQL (synchronous commit on), service in a child process`);
  out(`  baseline GET /healthz (sequential)              ${fmt(healthz)}`);
  out(`  baseline GET /v1/review/me (sequential)         ${fmt(me)}`);
  out(`  GET /v1/review/cases first page (sequential)    ${fmt(queue)}   p99 ${queue.p99 < 300 ? '<' : '≥'} 300 ms; ×${(queue.p99 / me.p99).toFixed(1)} the /me p99`);
  out(`  GET /v1/review/cases filtered (sequential)      ${fmt(filtered)}`);
  out(`  ${opts.auditors} auditors together (all at the same instant, rounds ${opts.pause} ms apart):`);
  out(`    baseline GET /v1/review/me                   ${fmt(meTogether)}`);
  out(`    POST /v1/review/draw                         ${fmt(drawsTogether)}   p99 ${drawsTogether.p99 < 50 ? '<' : '≥'} 50 ms; ×${(drawsTogether.p99 / meTogether.p99).toFixed(1)} the /me p99`);
  out(`    cpu per draw: ${cpuText(togetherCpu, drawsTogether.n)}`);
  out(`    warm-up before, not counted: ${fmt(drawWarmup)}`);
  out(`  ${opts.auditors} auditors back to back (each draws again the moment it is answered: the machine saturated):`);
  out(`    baseline GET /v1/review/me                   ${fmt(meConcurrent)}  (${meConcurrent.perSecond.toFixed(0)}/s)`);
  out(
    `    POST /v1/review/draw                         ${fmt(draws)}  (${draws.perSecond.toFixed(0)}/s; ${opts.auditors} in flight ÷ that = ${((opts.auditors / draws.perSecond) * 1000).toFixed(1)} ms mean wait)   ×${(draws.p99 / meConcurrent.p99).toFixed(1)} the /me p99`,
  );
  out(`    cpu per request, /me:  ${cpuText(meCpu, meConcurrent.n)}`);
  out(`    cpu per request, draw: ${cpuText(drawCpu, draws.n)}`);
  out(
    `  trail: ${trail.entries} entries sealed ${trail.pending === 0 ? `within ${sealLag.toFixed(0)} ms of the last draw` : `, ${trail.pending} still pending after ${sealLag.toFixed(0)} ms`}; the chain ${trail.ok ? 'verifies' : `is BROKEN (${trail.problem})`}`,
  );
  out(`  drawn ${drawn[0]!.n} cases to ${drawn[0]!.people} auditors, ${open[0]!.n} still open; one draw each: every one a distinct case`);
  if (drawn[0]!.n !== drawWarmup.n + drawsTogether.n + draws.n) throw new Error(`${drawWarmup.n + drawsTogether.n + draws.n} draws answered but ${drawn[0]!.n} cases are assigned`);
} finally {
  child?.kill('SIGTERM');
  await database.close();
  if (!values.keep) {
    await new Promise((r) => setTimeout(r, 1000));
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  }
  await admin.end();
}
