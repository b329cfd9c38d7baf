/**
 * `npm run bench`: intake throughput and latency of POST /v1/claims against real PostgreSQL,
 * beside a baseline (bench/baseline-server.ts: a bare hono endpoint that inserts the same JSON as
 * one jsonb row). Both run as child processes, each on its own fresh database; this process is
 * only the load generator. See bench/README.md.
 *
 * Flags: --duration <s> (15) --connections <n> (64) --rate <claims/s> (1000) --rounds <n> (2)
 *        --workers <n|auto> (WORKERS of the service: worker processes; 1)
 *        --warmup <s> (3) --pool <n> (DB_POOL_MAX of both, the service's default) --log-level <level> (warn)
 *        --quick (3 s runs, 1 round) --keep (keep the benchmark databases)
 *        --cpu-prof <dir> (write a V8 CPU profile of the service process there on exit; with --preloaded
 *        each service's in <dir>/empty and <dir>/preloaded)
 *        --node-flags=<flags> (more node/V8 flags for the service process, e.g. --node-flags=--trace-deopt)
 *        --stock (seed stock records of the drugs: the stock rule then sums each drug's month)
 *        --preloaded <database> (cost as the work grows: the service on a fresh empty database beside
 *        the service on <database>, filled by `npm run bench:preload`, in alternating rounds; the
 *        claims' persons are the preloaded persons, so a claim's history read finds their year;
 *        the run's claims are removed from <database> at its end unless --keep-claims)
 * Env:   DATABASE_URL (a server to create databases on; default the local PostgreSQL)
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { loadConfig } from '../src/config.js';
import { claimTemplates, fillClaim, referenceSeed } from './claims.js';
import { cpuBetween, cpuSnapshot, type CpuUse } from './cpu.js';
import { createHarness, DEFAULT_SERVER, freePort, walBetween, type WalUse } from './harness.js';
import { pacedRun, percentile } from './paced.js';
import { preloadPersonId, preloadSettings, removeBenchClaims } from './preload.js';
import { SERVICE_NODE_FLAGS } from '../src/node-flags.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string' },
    connections: { type: 'string', default: '64' },
    rate: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '1' },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    pool: { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
    quick: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'node-flags': { type: 'string' },
    'keep-claims': { type: 'boolean' },
    stock: { type: 'boolean', default: false },
    preloaded: { type: 'string' },
  },
});
const positive = (name: string, v: string | undefined, fallback: number) => {
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${v}`);
  return n;
};
const quick = values.quick === true;
const opts = {
  duration: positive('duration', values.duration, quick ? 3 : 15),
  connections: positive('connections', values.connections, 64),
  rate: positive('rate', values.rate, 1000),
  workers: values.workers === 'auto' ? 'auto' : String(positive('workers', values.workers, 1)),
  rounds: positive('rounds', values.rounds, quick ? 1 : 2),
  warmup: positive('warmup', values.warmup, quick ? 1 : 3),
  pool: positive('pool', values.pool, loadConfig({}).DB_POOL_MAX),
  logLevel: values['log-level'] as string,
};

const BASE_URL = process.env.DATABASE_URL ?? DEFAULT_SERVER;
const harness = createHarness({ serverUrl: BASE_URL, logLevel: opts.logLevel });

// ---------------------------------------------------------------------------------------------
// load

// Every request is a new claim of a new person: a unique claim id, so each is a real insert (no
// idempotent replay), and a unique person, so a template's fixed stay dates never make one person's
// claims overlap (which rules would flag, and which no real intake looks like). The history query
// still runs for every claim; it finds nothing.
//
// With --preloaded the persons are those of the preloaded database instead, so the history read
// finds the person's claims of the past year. They are drawn as the preload drew the persons of its
// claims (person 1 + ⌊persons · r²⌋, bench/preload.ts), so a run's claims come from persons in the
// province's own proportions, the few with dozens of claims a year as often as they claim; a person
// drawn before in the run is drawn again (no person twice, as above). A run's persons taken one
// after another from a random one instead made the year cost 1.3× or 2.3× the empty database's by
// where that one fell: persons past rank ~900,000 have a claim or two, those near rank 20,000 dozens.
const templates = claimTemplates(1000);
let serial = 0;
const runTag = randomBytes(3).toString('hex');
const pool = { persons: 0, used: new Set<number>() };
function preloadedPerson(): number {
  for (;;) {
    const r = Math.random();
    const idx = 1 + Math.floor(pool.persons * r * r);
    if (!pool.used.has(idx) || pool.used.size >= pool.persons) {
      pool.used.add(idx);
      return idx;
    }
  }
}
function nextClaim(): { id: string; body: string } {
  const n = serial++;
  const id = `BENCH-${runTag}-${n}`;
  const person = pool.persons > 0 ? preloadPersonId(preloadedPerson()) : `3201${runTag}${String(n).padStart(8, '0')}`;
  return { id, body: fillClaim(templates[n % templates.length] as string, id, person) };
}

interface Target {
  name: string;
  /** whose CPU it is (bench/cpu.ts roles): the preloaded service takes the baseline's place */
  role: 'service' | 'baseline';
  url: string;
  headers: Record<string, string>;
  /** claim ids answered 2xx */
  acked: string[];
}

interface Measured {
  target: string;
  role: 'service' | 'baseline';
  label: string;
  rps: number;
  okPerS: number;
  p50: number;
  p99: number;
  max: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  cpu: CpuUse | undefined;
  wal: WalUse | undefined;
}

const walCounters = () => harness.walCounters();
/**
 * Before a latency run: a checkpoint, then until no autovacuum worker runs (at most 60 s). The
 * saturated rounds leave the tables to vacuum and dirty pages to write; a paced run started at
 * once measured that instead (the baseline's p99 at 250/s was 97 ms right after the service's
 * round). Returns the seconds waited.
 */
async function settle(): Promise<number> {
  const started = performance.now();
  try {
    const statsDb = harness.server();
    await statsDb`checkpoint`;
    while (performance.now() - started < 60_000) {
      const [row] = await statsDb<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where backend_type = 'autovacuum worker'`;
      if (!row || row.n === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch {
    // statistics unavailable (not a superuser): run without settling
  }
  await new Promise((r) => setTimeout(r, 1000));
  return (performance.now() - started) / 1000;
}

function walText(wal: WalUse | undefined, answered: number): string {
  if (!wal || answered === 0) return '';
  return `   wal/claim ${(wal.bytes / answered / 1024).toFixed(1)} KB, ${(wal.fpi / answered).toFixed(2)} full pages; checkpoints ${wal.checkpoints}`;
}

const roles = { service: 0, baseline: 0, serviceDb: '', baselineDb: '' };

async function hammer(target: Target, label: string, seconds: number, rate?: number): Promise<Measured> {
  type Ctx = { id?: string };
  const walBefore = await walCounters();
  const before = cpuSnapshot();
  const started = performance.now();
  const result = await autocannon({
    url: target.url,
    connections: opts.connections,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    headers: { ...target.headers, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        path: '/v1/claims',
        setupRequest: (req, context: Ctx) => {
          const { id, body } = nextClaim();
          context.id = id;
          return { ...req, body };
        },
        onResponse: (status, _body, context: Ctx) => {
          if (status >= 200 && status < 300 && context.id) target.acked.push(context.id);
        },
      },
    ] as autocannon.Request[],
  });
  const cpu = cpuBetween(before, cpuSnapshot(), performance.now() - started, roles);
  const wal = walBetween(walBefore, await walCounters());
  return {
    target: target.name,
    role: target.role,
    label,
    rps: result.requests.average,
    okPerS: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    seconds: result.duration,
    cpu,
    wal,
  };
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
/**
 * CPU per answered request: the server process, the PostgreSQL backends of its database, and
 * PostgreSQL's shared processes (WAL writer, checkpointer); and the share of the machine that
 * processes outside the benchmark took.
 */
function cpuText(cpu: CpuUse | undefined, server: 'service' | 'baseline', answered: number): string {
  if (!cpu || answered === 0) return '';
  const capacity = cpu.wallMs * os.cpus().length;
  const per = (ms: number) => `${((ms / answered) * 1000).toFixed(0)} µs`;
  const backends = server === 'service' ? cpu.postgresService : cpu.postgresBaseline;
  return (
    `   cpu/claim: server ${per(cpu[server])}, postgres ${per(backends)} + shared ${per(cpu.postgresShared)}, generator ${per(cpu.generator)}` +
    `   other processes ${((cpu.other / capacity) * 100).toFixed(0)}% of the machine`
  );
}

function printRow(m: Measured) {
  console.log(
    `  ${m.label.padEnd(22)} ${m.target.padEnd(9)} ${fmt(m.okPerS).padStart(7)} /s   p50 ${fmt(m.p50).padStart(4)} ms   p99 ${fmt(m.p99).padStart(4)} ms   max ${fmt(m.max).padStart(5)} ms   2xx ${String(m.ok).padStart(7)}   non-2xx ${m.non2xx}   errors ${m.errors}` +
      cpuText(m.cpu, m.role, m.ok) +
      walText(m.wal, m.ok),
  );
}

/**
 * The server's buffers and checkpoint settings, printed with every run: after a checkpoint the
 * first change to each page writes the whole page to the WAL, so the WAL and PostgreSQL's CPU a
 * claim depend on how many claims a checkpoint interval holds (bench/README.md, "A year in the
 * database"), and the measured rounds start right after one (`settle`).
 */
async function serverSettings(): Promise<string> {
  const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin<{ name: string; setting: string }[]>`
      select name, current_setting(name) as setting from pg_settings
      where name in ('shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_compression', 'full_page_writes') order by name`;
    return `  server: ${rows.map((r) => `${r.name}=${r.setting}`).join(', ')}; a checkpoint before the measured rounds`;
  } finally {
    await admin.end();
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
  const [sc] = await admin`show synchronous_commit`;
  const [version] = await admin`show server_version`;
  await admin.end();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `claimscreen intake benchmark: PostgreSQL ${version?.server_version}, synchronous_commit=${sc?.synchronous_commit}; ` +
      `${opts.connections} connections, ${opts.duration} s runs × ${opts.rounds} rounds, pool ${opts.pool}, LOG_LEVEL=${opts.logLevel}, ` +
      `paced ${opts.rate}/s, service WORKERS=${opts.workers}; load generator in this process (node ${process.version}); ${os.cpus().length} cores, load average ${load}`,
  );
  console.log(await serverSettings());

  const serviceDb = await harness.createDatabase('svc');
  const baselineDb = await harness.createDatabase('base');
  const secret = randomBytes(36).toString('base64url');
  const dbEnv = { DATABASE_URL: serviceDb, PERSON_ID_SECRET: secret, DB_POOL_MAX: String(opts.pool), LOG_LEVEL: opts.logLevel, WORKERS: opts.workers };

  const created = JSON.parse(await harness.run('scripts/keys.ts', ['create', '--name', 'bench', '--role', 'settlement', '--by', 'bench'], dbEnv)) as { key: string };
  // Reference data before the service starts, so its cache holds it from the first claim.
  const seed = postgres(serviceDb, { max: 1, onnotice: () => {} });
  for (const row of referenceSeed({ stock: values.stock === true })) await seed.unsafe(row.text, row.params as never[]);
  await seed.end();

  const servicePort = await freePort();
  const serviceUrl = `http://127.0.0.1:${servicePort}`;
  const serviceChild = await harness.startChild('src/main.ts', { ...dbEnv, HOST: '127.0.0.1', PORT: String(servicePort) }, 'service', `${serviceUrl}/readyz`, [
    ...SERVICE_NODE_FLAGS,
    ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values['cpu-prof'])] : []),
    ...(values['node-flags']?.split(/\s+/).filter((f) => f !== '') ?? []),
  ]);
  const baselinePort = await freePort();
  const baselineUrl = `http://127.0.0.1:${baselinePort}`;
  const baselineChild = await harness.startChild('bench/baseline-server.ts', { DATABASE_URL: baselineDb, PORT: String(baselinePort), DB_POOL_MAX: String(opts.pool) }, 'baseline', `${baselineUrl}/`);

  roles.service = serviceChild.pid ?? 0;
  roles.baseline = baselineChild.pid ?? 0;
  roles.serviceDb = new URL(serviceDb).pathname.slice(1);
  roles.baselineDb = new URL(baselineDb).pathname.slice(1);
  const service: Target = { name: 'service', role: 'service', url: serviceUrl, headers: { authorization: `Bearer ${created.key}` }, acked: [] };
  const baseline: Target = { name: 'baseline', role: 'baseline', url: baselineUrl, headers: {}, acked: [] };

  // A claim the service must accept, before measuring anything.
  const probe = nextClaim();
  const res = await fetch(`${serviceUrl}/v1/claims`, { method: 'POST', headers: { ...service.headers, 'content-type': 'application/json' }, body: probe.body });
  if (res.status !== 200) throw new Error(`the service refused the benchmark claim: ${res.status} ${await res.text()}`);
  service.acked.push(probe.id);

  console.log(`\nwarm-up (${opts.warmup} s each)`);
  printRow(await hammer(baseline, 'warm-up', opts.warmup));
  printRow(await hammer(service, 'warm-up', opts.warmup));

  console.log(`\nmaximum throughput, ${opts.connections} connections, ${opts.duration} s, alternating`);
  const rounds: { base: Measured; svc: Measured }[] = [];
  for (let r = 1; r <= opts.rounds; r++) {
    const base = await hammer(baseline, `round ${r}`, opts.duration);
    printRow(base);
    const svc = await hammer(service, `round ${r}`, opts.duration);
    printRow(svc);
    rounds.push({ base, svc });
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const baseMean = sum(rounds.map((r) => r.base.okPerS)) / rounds.length;
  const svcMean = sum(rounds.map((r) => r.svc.okPerS)) / rounds.length;
  const ratio = svcMean / baseMean;
  console.log(
    `  ratio service/baseline: ${(ratio * 100).toFixed(1)}% (${fmt(svcMean)} / ${fmt(baseMean)} claims/s, mean of ${rounds.length} round(s); ` +
      `per round ${rounds.map((r) => `${((r.svc.okPerS / r.base.okPerS) * 100).toFixed(0)}%`).join(', ')})   goal ≥ 50%: ${ratio >= 0.5 ? 'met' : 'MISSED'}`,
  );
  // CPU a claim of the whole service: its Node process(es), its database's backends and
  // PostgreSQL's shared processes (WAL writer, checkpointer), over every round. Claims per
  // CPU-second of that does not depend on the cores the load generator takes.
  const serviceCpu = (m: Measured, who: 'service' | 'baseline') =>
    m.cpu ? { node: m.cpu[who], postgres: (who === 'service' ? m.cpu.postgresService : m.cpu.postgresBaseline) + m.cpu.postgresShared, ok: m.ok } : undefined;
  const cpuOf = (who: 'service' | 'baseline') => {
    const parts = rounds.map((r) => serviceCpu(who === 'service' ? r.svc : r.base, who)).filter((x) => x !== undefined);
    const ok = sum(parts.map((p) => p.ok));
    if (parts.length === 0 || ok === 0) return undefined;
    const node = (sum(parts.map((p) => p.node)) / ok) * 1000;
    const postgres = (sum(parts.map((p) => p.postgres)) / ok) * 1000;
    return { node, postgres, total: node + postgres, perCpuSecond: 1e6 / (node + postgres) };
  };
  const svcCpu = cpuOf('service');
  const baseCpu = cpuOf('baseline');
  if (svcCpu && baseCpu) {
    for (const [name, c] of [
      ['baseline', baseCpu],
      ['service', svcCpu],
    ] as const)
      console.log(`  ${name.padEnd(9)} CPU a claim: Node ${fmt(c.node)} µs + PostgreSQL ${fmt(c.postgres)} µs = ${fmt(c.total)} µs: ${fmt(c.perCpuSecond)} claims per CPU-second`);
    console.log(`  service CPU a claim / baseline's: ${(svcCpu.total / baseCpu.total).toFixed(2)}×   goal ≤ 2×: ${svcCpu.total <= 2 * baseCpu.total ? 'met' : 'MISSED'}`);
  }

  const pacedSeconds = opts.duration;
  // The same open-loop rate against the baseline too: what this machine allows at that rate for
  // the least a durable intake does, beside what the service does.
  const pacedLine = async (target: Target) => {
    const waited = await settle();
    console.log(`  (${fmt(waited, 1)} s for a checkpoint and autovacuum to finish before it)`);
    const walBefore = await walCounters();
    const before = cpuSnapshot();
    const started = performance.now();
    const r = await pacedRun({
      url: target.url,
      path: '/v1/claims',
      headers: target.headers,
      rate: opts.rate,
      durationS: pacedSeconds,
      maxSockets: 256,
      next: nextClaim,
      onOk: (id) => target.acked.push(id),
    });
    const cpu = cpuBetween(before, cpuSnapshot(), performance.now() - started, roles);
    const wal = walBetween(walBefore, await walCounters());
    const p = (q: number) => fmt(percentile(r.latencies, q), 1);
    const p99 = percentile(r.latencies, 99);
    console.log(
      `  open loop ${target.name.padEnd(9)} sent ${r.sent} at ${fmt(r.sent / r.sendSeconds)}/s   ` +
        `p50 ${p(50)} ms   p99 ${p(99)} ms   p99.9 ${p(99.9)} ms   max ${p(100)} ms   2xx ${r.ok}   non-2xx ${r.non2xx}   errors ${r.errors}   ` +
        (r.ok === r.sent && !r.overloaded ? '' : '   NOT SUSTAINED') +
        cpuText(cpu, target.role, r.ok) +
        walText(wal, r.ok),
    );
    if (r.overloaded) console.log(`    stopped early: over ${2 * opts.rate} requests waiting, the ${target.name} cannot sustain ${opts.rate}/s`);
    return { ...r, p99, wal };
  };
  console.log(`\npaced ${opts.rate} claims/s, open loop (evenly spaced, latency from each request's due time), ${pacedSeconds} s`);
  const pacedBase = await pacedLine(baseline);
  const paced = await pacedLine(service);
  const p = (q: number) => fmt(percentile(paced.latencies, q), 1);
  const ac = await hammer(service, `autocannon overallRate`, pacedSeconds, opts.rate);
  printRow(ac);
  console.log("    (autocannon sends each second's quota in a burst at the top of the second: a harsher, bursty load)");

  // Durability: every claim answered 2xx is in the database. Timed autocannon runs stop with up
  // to `connections` requests in flight; those may commit without their answer being read.
  await new Promise((r) => setTimeout(r, 500));
  console.log('\ndurability');
  for (const [target, db, table, column] of [
    [service, serviceDb, 'claims', 'claim_no'],
    [baseline, baselineDb, 'intake', "body->>'claimId'"],
  ] as const) {
    const sql = postgres(db, { max: 1, onnotice: () => {} });
    const [setting] = await sql`show synchronous_commit`;
    const rows = await sql.unsafe<{ k: string }[]>(`select ${column} as k from ${table}`);
    const decisions = target === service ? await sql<{ decision: string; n: string }[]>`select decision, count(*)::text as n from claims group by 1 order by 1` : [];
    await sql.end();
    const stored = new Set(rows.map((r) => r.k));
    const missing = target.acked.filter((id) => !stored.has(id)).length;
    const unanswered = rows.length - (target.acked.length - missing);
    const timedRuns = 1 + opts.rounds + (target === service ? 1 : 0);
    console.log(
      `  ${target.name.padEnd(9)} rows ${rows.length}   2xx answers ${target.acked.length}   answered but missing ${missing}   ` +
        `stored but unanswered ${unanswered} (in flight when a timed run stopped; ≤ ${timedRuns * opts.connections})   ` +
        `synchronous_commit=${setting?.synchronous_commit}   ${missing === 0 && unanswered >= 0 && unanswered <= timedRuns * opts.connections ? 'ok' : 'FAILED'}` +
        (decisions.length ? `   decisions: ${decisions.map((d) => `${d.decision} ${d.n}`).join(', ')}` : ''),
    );
  }
  const pacedOk = !paced.overloaded && !pacedBase.overloaded && paced.p99 <= 2 * pacedBase.p99;
  // WAL a claim (issue 20: ≤ 4 KB): over the saturated rounds, where statements carry many claims
  // and no checkpoint has just passed, and paced, after a checkpoint (settle) and with fewer claims
  // a statement. The goal holds only if both do.
  const walKb = (parts: { wal: WalUse | undefined; ok: number }[]) => {
    const known = parts.filter((x): x is { wal: WalUse; ok: number } => x.wal !== undefined && x.ok > 0);
    const ok = sum(known.map((x) => x.ok));
    return ok === 0 ? undefined : { kb: sum(known.map((x) => x.wal.bytes)) / ok / 1024, fpi: sum(known.map((x) => x.wal.fpi)) / ok };
  };
  const walSat = walKb(rounds.map((r) => r.svc));
  const walPaced = walKb([paced]);
  const walBase = walKb(rounds.map((r) => r.base));
  const walOk = walSat !== undefined && walPaced !== undefined && walSat.kb <= 4 && walPaced.kb <= 4;
  const walFig = (w: { kb: number; fpi: number } | undefined) => (w ? `${w.kb.toFixed(2)} KB (${w.fpi.toFixed(2)} full pages)` : 'unknown');
  console.log(
    `\nsummary (one run, side by side):\n` +
      `  throughput: service ${fmt(svcMean)}/s vs baseline ${fmt(baseMean)}/s = ${(ratio * 100).toFixed(1)}%   goal ≥ 50%: ${ratio >= 0.5 ? 'met' : 'MISSED'}\n` +
      (svcCpu && baseCpu
        ? `  CPU a claim (Node + PostgreSQL): service ${fmt(svcCpu.total)} µs vs baseline ${fmt(baseCpu.total)} µs = ${(svcCpu.total / baseCpu.total).toFixed(2)}×   goal ≤ 2×: ${svcCpu.total <= 2 * baseCpu.total ? 'met' : 'MISSED'}\n` +
          `  claims per CPU-second of the service: ${fmt(svcCpu.perCpuSecond)} (baseline ${fmt(baseCpu.perCpuSecond)})\n`
        : '') +
      `  WAL a claim: service ${walFig(walSat)} saturated, ${walFig(walPaced)} paced; baseline ${walFig(walBase)} saturated   goal ≤ 4 KB: ${walOk ? 'met' : 'MISSED'}\n` +
      `  paced ${opts.rate}/s p99: service ${p(99)} ms${paced.overloaded ? ' (not sustained)' : ''} vs baseline ${fmt(pacedBase.p99, 1)} ms${pacedBase.overloaded ? ' (not sustained)' : ''} = ${(paced.p99 / pacedBase.p99).toFixed(2)}×   goal ≤ 2×: ${pacedOk ? 'met' : 'MISSED'}`,
  );
}

/**
 * The indexes, triggers and functions one migrated database has and the other lacks (a partition's
 * own suffix taken off, so months attached in one and not the other do not count).
 */
async function schemaDrift(aUrl: string, bUrl: string): Promise<string[]> {
  const objects = async (url: string) => {
    const db = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const rows = await db<{ o: string }[]>`
        select 'index ' || regexp_replace(regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \\S+ ', ''), '_(20\\d\\d_\\d\\d|default)\\M', '', 'g') as o
          from pg_indexes where schemaname = current_schema()
        union select 'trigger ' || regexp_replace(tgrelid::regclass::text, '_(20\\d\\d_\\d\\d|default)$', '') || ' ' || tgname
          from pg_trigger where not tgisinternal
        union select 'function ' || proname || ' ' || md5(prosrc) from pg_proc where pronamespace = current_schema()::regnamespace`;
      return new Set(rows.map((r) => r.o));
    } finally {
      await db.end();
    }
  };
  const [a, b] = await Promise.all([objects(aUrl), objects(bUrl)]);
  return [...[...b].filter((o) => !a.has(o)).map((o) => `only preloaded: ${o}`), ...[...a].filter((o) => !b.has(o)).map((o) => `only empty: ${o}`)];
}

/**
 * --preloaded <database>: cost as the work grows (issue 20). The same claims to the service on a
 * fresh empty database and to the service on the preloaded one (bench/preload.ts), in alternating
 * rounds of the same length, each service its own process with the same settings and the
 * preloaded database's person secret; throughput and CPU a claim (Node + PostgreSQL) of each, and
 * the preloaded figures as a share of the empty ones. The preloaded database is not dropped; the
 * claims a run stores in it are removed at its end (and any an interrupted run left, at the start),
 * so every run meets the same year (bench/preload.ts removeBenchClaims).
 */
async function mainPreloaded(preloadedName: string) {
  const preloadedUrl = new URL(BASE_URL);
  preloadedUrl.pathname = `/${preloadedName}`;
  const pre = postgres(preloadedUrl.toString(), { max: 1, onnotice: () => {} });
  const settings = await preloadSettings(pre);
  if (!settings || settings.months.length === 0) throw new Error(`${preloadedName} holds no preloaded month: run npm run bench:preload -- --database ${preloadedName}`);
  // every run meets the same year: claims an earlier run left (one interrupted) are removed first
  const left = await removeBenchClaims(pre);
  if (left > 0) console.log(`  removed ${left.toLocaleString('en')} claims earlier benchmark runs left in ${preloadedName}`);
  const [stored] = await pre<{ claims: string; lines: string; persons: string; size: string }[]>`
    select (select reltuples::bigint from pg_class where oid = 'claims'::regclass)::text as claims,
           (select sum(lines)::bigint from preload.loaded)::text as lines,
           (select count(*) from person_versions where person_hash <> ''
              and version >> 32 = (select version from person_versions where person_hash = ''))::text as persons,
           pg_size_pretty(pg_database_size(current_database())) as size`;
  await pre.end();
  pool.persons = settings.persons;

  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `claimscreen intake benchmark, cost as the work grows: ${opts.connections} connections, ${opts.duration} s runs × ${opts.rounds} rounds, pool ${opts.pool}, ` +
      `LOG_LEVEL=${opts.logLevel}, service WORKERS=${opts.workers}; ${os.cpus().length} cores, load average ${load}\n` +
      `  preloaded: ${preloadedName}, months ${settings.months[0]} to ${settings.months.at(-1)} (${settings.months.length}), ${settings.claims.toLocaleString('en')} claims preloaded; ` +
      `now ~${Number(stored?.claims).toLocaleString('en')} claims, ~${Number(stored?.lines).toLocaleString('en')} lines, ${Number(stored?.persons).toLocaleString('en')} persons with a version of the current epoch, ${stored?.size}\n` +
      `  every claim's person is a preloaded one (of ${settings.persons.toLocaleString('en')}, drawn as the preload drew its claims' persons, none twice): the empty database has no history of them, the preloaded one their year`,
  );
  // person_versions is unlogged (migration 0045): an unclean stop of PostgreSQL empties it, and the
  // year's persons then meet the service as new rows of a new epoch, not as the year's
  if (Number(stored?.persons) < settings.persons / 2)
    console.log(
      `  WARNING: only ${Number(stored?.persons).toLocaleString('en')} persons of ${preloadedName} have a version of the current epoch (emptied by an unclean stop of PostgreSQL?): ` +
        `recount them with npm run bench:preload -- --database ${preloadedName} (~2 minutes)`,
    );
  console.log(await serverSettings());

  const emptyDb = await harness.createDatabase('empty');
  const common = { PERSON_ID_SECRET: settings.secret, DB_POOL_MAX: String(opts.pool), LOG_LEVEL: opts.logLevel, WORKERS: opts.workers };
  const keyOf = async (db: string) =>
    (JSON.parse(await harness.run('scripts/keys.ts', ['create', '--name', 'bench', '--role', 'settlement', '--by', 'bench'], { ...common, DATABASE_URL: db })) as { key: string }).key;
  const emptyKey = await keyOf(emptyDb);
  const seed = postgres(emptyDb, { max: 1, onnotice: () => {} });
  for (const row of referenceSeed()) await seed.unsafe(row.text, row.params as never[]);
  await seed.end();
  const preloadedKey = await keyOf(preloadedUrl.toString());

  const start = async (db: string, name: string) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = await harness.startChild('src/main.ts', { ...common, DATABASE_URL: db, HOST: '127.0.0.1', PORT: String(port) }, name, `${url}/readyz`, [
      ...SERVICE_NODE_FLAGS,
      // each service's profile in a directory of its own
      ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.join(path.resolve(values['cpu-prof']), name)] : []),
      ...(values['node-flags']?.split(/\s+/).filter((f) => f !== '') ?? []),
    ]);
    return { url, child };
  };
  const e = await start(emptyDb, 'empty');
  const p = await start(preloadedUrl.toString(), 'preloaded');
  roles.service = e.child.pid ?? 0;
  roles.baseline = p.child.pid ?? 0;
  roles.serviceDb = new URL(emptyDb).pathname.slice(1);
  roles.baselineDb = preloadedName;
  // the two databases must differ in their data alone: an index or trigger left in the preloaded one
  // by an experiment costs every claim there (an index on claim_keys by person did: WAL 13–17 KB a
  // claim against 7–10 without it)
  const drift = await schemaDrift(emptyDb, preloadedUrl.toString());
  if (drift.length > 0) console.log(`  WARNING: ${preloadedName}'s schema differs from a freshly migrated database's:\n${drift.map((d) => `    ${d}`).join('\n')}`);
  const empty: Target = { name: 'empty', role: 'service', url: e.url, headers: { authorization: `Bearer ${emptyKey}` }, acked: [] };
  const preloaded: Target = { name: 'preloaded', role: 'baseline', url: p.url, headers: { authorization: `Bearer ${preloadedKey}` }, acked: [] };

  for (const target of [empty, preloaded]) {
    const probe = nextClaim();
    const res = await fetch(`${target.url}/v1/claims`, { method: 'POST', headers: { ...target.headers, 'content-type': 'application/json' }, body: probe.body });
    if (res.status !== 200) throw new Error(`the ${target.name} service refused the benchmark claim: ${res.status} ${await res.text()}`);
    target.acked.push(probe.id);
  }

  console.log(`\nwarm-up (${opts.warmup} s each)`);
  printRow(await hammer(empty, 'warm-up', opts.warmup));
  printRow(await hammer(preloaded, 'warm-up', opts.warmup));
  const waited = await settle();
  console.log(`  (${fmt(waited, 1)} s for a checkpoint and autovacuum to finish)`);

  console.log(`\nmaximum throughput, ${opts.connections} connections, ${opts.duration} s, alternating (the order swapped each round)`);
  const rounds: { empty: Measured; preloaded: Measured }[] = [];
  for (let r = 1; r <= opts.rounds; r++) {
    const order = r % 2 === 1 ? [empty, preloaded] : [preloaded, empty];
    const got: Record<string, Measured> = {};
    for (const target of order) {
      const m = await hammer(target, `round ${r}`, opts.duration);
      printRow(m);
      got[target.name] = m;
    }
    rounds.push({ empty: got.empty as Measured, preloaded: got.preloaded as Measured });
  }
  const benchInstitutions = [...new Set(templates.map((t) => (JSON.parse(fillClaim(t, 'x', 'y')) as { institutionId: string }).institutionId))];
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const cpuOf = (ms: Measured[]) => {
    const withCpu = ms.filter((m) => m.cpu !== undefined);
    const ok = sum(withCpu.map((m) => m.ok));
    if (withCpu.length === 0 || ok === 0) return undefined;
    const node = (sum(withCpu.map((m) => (m.cpu as CpuUse)[m.role])) / ok) * 1000;
    const pg = (sum(withCpu.map((m) => (m.role === 'service' ? (m.cpu as CpuUse).postgresService : (m.cpu as CpuUse).postgresBaseline) + (m.cpu as CpuUse).postgresShared)) / ok) * 1000;
    const other = sum(withCpu.map((m) => (m.cpu as CpuUse).other)) / sum(withCpu.map((m) => (m.cpu as CpuUse).wallMs * os.cpus().length));
    return { node, postgres: pg, total: node + pg, other };
  };
  const emptyRate = sum(rounds.map((r) => r.empty.okPerS)) / rounds.length;
  const preRate = sum(rounds.map((r) => r.preloaded.okPerS)) / rounds.length;
  const emptyCpu = cpuOf(rounds.map((r) => r.empty));
  const preCpu = cpuOf(rounds.map((r) => r.preloaded));
  const share = preRate / emptyRate;

  await new Promise((r) => setTimeout(r, 500));
  console.log('\ndurability (the claims of this run)');
  for (const [target, db] of [
    [empty, emptyDb],
    [preloaded, preloadedUrl.toString()],
  ] as const) {
    const sql = postgres(db, { max: 1, onnotice: () => {} });
    // by the idempotency key's index: the preloaded database's claims are not read
    const rows = await sql<{ k: string; decision: string }[]>`
      select k.claim_no as k, c.decision from claim_keys k
      join claims c on c.id = k.claim_id and c.person_hash = k.person_hash and c.service_month = k.service_month
      where k.institution_id = any(${benchInstitutions}) and k.claim_no >= ${`BENCH-${runTag}-`} and k.claim_no < ${`BENCH-${runTag}.`}`;
    await sql.end();
    const stored = new Set(rows.map((r) => r.k));
    const missing = target.acked.filter((id) => !stored.has(id)).length;
    const unanswered = rows.length - (target.acked.length - missing);
    const timedRuns = 1 + opts.rounds;
    const decisions = new Map<string, number>();
    for (const r of rows) decisions.set(r.decision, (decisions.get(r.decision) ?? 0) + 1);
    console.log(
      `  ${target.name.padEnd(9)} rows ${rows.length}   2xx answers ${target.acked.length}   answered but missing ${missing}   stored but unanswered ${unanswered} (≤ ${timedRuns * opts.connections})   ` +
        `${missing === 0 && unanswered >= 0 && unanswered <= timedRuns * opts.connections ? 'ok' : 'FAILED'}   decisions: ${[...decisions].map(([d, n]) => `${d} ${n}`).join(', ')}`,
    );
  }

  if (values['keep-claims']) console.log(`  the run's claims kept in ${preloadedName} (--keep-claims; the next run removes them first)`);
  else {
    const cleanup = postgres(preloadedUrl.toString(), { max: 1, onnotice: () => {} });
    const removed = await removeBenchClaims(cleanup);
    await cleanup.end();
    console.log(`  the run's ${removed.toLocaleString('en')} claims removed from ${preloadedName} (bench/preload.ts removeBenchClaims)`);
  }

  const cpuLine = (name: string, c: ReturnType<typeof cpuOf>) =>
    c ? `  ${name.padEnd(9)} CPU a claim: Node ${fmt(c.node)} µs + PostgreSQL ${fmt(c.postgres)} µs = ${fmt(c.total)} µs   (other processes ${fmt(c.other * 100)}% of the machine)\n` : '';
  console.log(
    `\nsummary (one run, alternating rounds):\n` +
      `  throughput: preloaded ${fmt(preRate)}/s vs empty ${fmt(emptyRate)}/s = ${(share * 100).toFixed(1)}% (per round ${rounds.map((r) => `${((r.preloaded.okPerS / r.empty.okPerS) * 100).toFixed(0)}%`).join(', ')})   goal ≥ 85%: ${share >= 0.85 ? 'met' : 'MISSED'}\n` +
      cpuLine('empty', emptyCpu) +
      cpuLine('preloaded', preCpu) +
      (emptyCpu && preCpu
        ? `  CPU a claim, preloaded / empty: ${(preCpu.total / emptyCpu.total).toFixed(2)}× (Node ${(preCpu.node / emptyCpu.node).toFixed(2)}×, PostgreSQL ${(preCpu.postgres / emptyCpu.postgres).toFixed(2)}×)   goal ≤ 1.2×: ${preCpu.total <= 1.2 * emptyCpu.total ? 'met' : 'MISSED'}`
        : ''),
  );
}

let failed = false;
try {
  await (values.preloaded ? mainPreloaded(values.preloaded) : main());
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await harness.close({ keep: values.keep === true });
}
process.exit(failed ? 1 : 0);
