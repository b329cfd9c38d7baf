/**
 * `npm run bench:growth`: does a claim cost more as its institution's month fills up? A month of
 * claims concentrated on a few large institutions (3 hospitals, 5 pharmacies with stock records
 * for every drug they sell, the largest pharmacy ten times the simulator's largest institution) is
 * streamed in time order through POST /v1/claims/stream into a fresh PostgreSQL database, and
 * each tenth of the month is measured: claims/s, CPU a claim in PostgreSQL (the database's
 * backends) and in the service, WAL a claim, and the stock history read for a claim of the
 * largest pharmacy. The goal (issue 21): the last tenth's PostgreSQL CPU a claim within 1.2× of
 * the first tenth's, and its claims/s at least 85 % of the first's.
 *
 * Flags: --claims <n> (500000) --largest <share of the claims at the largest pharmacy> (0.2)
 *        --month YYYY-MM (2026-03) --streams <n> (2) --pool <n> (the service's default)
 *        --log-level <level> (warn) --keep (keep the database)
 *        --cold (skip the month before: every person starts the measured month without history)
 *        --unique-people (every visit a person of its own: no claim has a history, so what is left
 *        to grow is the institution's month alone)
 *        --cluster (a private PostgreSQL 15 cluster sized as a server holding a province's month,
 *        instead of the server of DATABASE_URL: see `CLUSTER` below)
 * Env:   DATABASE_URL (a server to create the database on; default the local PostgreSQL)
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import type { Claim } from '../rules/claim.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { createHistoryRepository } from '../src/screening/history.repository.js';
import { createCluster, type Cluster } from '../scripts/chaos/cluster.js';
import { streamClaims, type AnswerLine } from '../scripts/sim/stream-claims.js';
import { ITEMS, referenceSeed } from './claims.js';
import { cpuBetween, cpuSnapshot, type CpuSnapshot } from './cpu.js';
import { createHarness, DEFAULT_SERVER, freePort, walBetween, type WalUse } from './harness.js';

const { values } = parseArgs({
  options: {
    claims: { type: 'string', default: '500000' },
    largest: { type: 'string', default: '0.2' },
    month: { type: 'string', default: '2026-03' },
    streams: { type: 'string', default: '2' },
    pool: { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
    keep: { type: 'boolean', default: false },
    cluster: { type: 'boolean', default: false },
    cold: { type: 'boolean', default: false },
    'unique-people': { type: 'boolean', default: false },
  },
});
const total = Number(values.claims);
const largestShare = Number(values.largest);
const month = String(values.month);
const streams = Number(values.streams);
if (!Number.isInteger(total) || total < 1000) throw new Error(`--claims must be an integer ≥ 1000, got ${values.claims}`);
if (!(largestShare > 0 && largestShare < 1)) throw new Error(`--largest must be a share between 0 and 1, got ${values.largest}`);
if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new Error(`--month must be YYYY-MM, got ${month}`);
if (!Number.isInteger(streams) || streams < 1) throw new Error(`--streams must be a positive integer, got ${values.streams}`);
const pool = Number(values.pool ?? loadConfig({}).DB_POOL_MAX);

/** claims in January at the simulator's largest institution, a pharmacy (`--scale 3`, issue 21) */
const SIMULATOR_LARGEST = 8_753;

// ---------------------------------------------------------------------------------------------
// the month

const DAY = 86_400_000;
const CST = 8 * 3_600_000;
const cst = (ms: number) => new Date(ms + CST).toISOString().slice(0, 19).replace('T', ' ');
const money = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const monthStart = Date.parse(`${month}-01T00:00:00+08:00`);
const [year, mon] = month.split('-').map(Number) as [number, number];
const monthEnd = Date.parse(`${mon === 12 ? year + 1 : year}-${String(mon === 12 ? 1 : mon + 1).padStart(2, '0')}-01T00:00:00+08:00`);
/** the month before, streamed first (unmeasured) so people arrive with a history, as they would */
const previousStart = Date.parse(`${mon === 1 ? year - 1 : year}-${String(mon === 1 ? 12 : mon - 1).padStart(2, '0')}-01T00:00:00+08:00`);

/** 24 drugs every pharmacy sells and keeps a stock ledger of (进销存) */
const PHARMACY_DRUGS = Array.from({ length: 24 }, (_, i) => ({
  code: `XG${String(i + 1).padStart(2, '0')}BNCH${String(i + 1).padStart(3, '0')}A001010100001`,
  name: `基准药品${i + 1}号片`,
  priceFen: 800 + ((i * 337) % 4200),
  spec: `${10 + i}mg×${14 + (i % 3) * 7}片`,
}));
const HOSPITALS = ['H32010200001', 'H32010200002', 'H32010200003'];
const PHARMACIES = ['P32010200001', 'P32010200002', 'P32010200003', 'P32010200004', 'P32010200005'];
const LARGEST = PHARMACIES[0]!;

interface Mix {
  institution: string;
  kind: 'inpatient' | 'outpatient' | 'pharmacy';
  share: number;
}
// The largest pharmacy takes --largest of the month; the rest is split 60 % among the other
// pharmacies and 40 % among the hospitals (a quarter of a hospital's claims inpatient stays).
const rest = 1 - largestShare;
const MIX: Mix[] = [
  { institution: LARGEST, kind: 'pharmacy', share: largestShare },
  ...PHARMACIES.slice(1).map((institution) => ({ institution, kind: 'pharmacy' as const, share: (rest * 0.6) / 4 })),
  ...HOSPITALS.flatMap((institution) => [
    { institution, kind: 'outpatient' as const, share: (rest * 0.4 * 0.75) / 3 },
    { institution, kind: 'inpatient' as const, share: (rest * 0.4 * 0.25) / 3 },
  ]),
];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `count` different elements of `xs`, each as likely (a partial Fisher-Yates shuffle) */
function pick<T>(r: () => number, xs: readonly T[], count: number): T[] {
  const copy = [...xs];
  const n = Math.min(count, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(r() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

const tag = randomBytes(3).toString('hex');
/** outpatient and pharmacy visits come from a pool of people, ~2.5 visits each in the month */
const people = Math.max(100, Math.round(total / 2.5));
const person = (n: number) => ({
  id: `3201${tag}P${String(n).padStart(9, '0')}`,
  sex: n % 2 === 0 ? 'male' : 'female',
  birthDate: `${1940 + (n % 60)}-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`,
});

/**
 * Who makes an outpatient or pharmacy visit: someone of the pool, or with --unique-people someone
 * new each time, so no claim has a history and only the institution's month can grow.
 */
const visitor = (r: () => number, prefix: string, k: number) => {
  const n = Math.floor(r() * people);
  return values['unique-people'] ? { ...person(n), id: `3201${tag}${prefix}U${String(k).padStart(9, '0')}` } : person(n);
};

interface Line {
  itemCode: string;
  hospitalItemName: string;
  category: string;
  at: number;
  quantity: number;
  priceFen: number;
  spec?: string;
  days?: number;
}

/** The claims of the month in time order, each with its institution. */
function* claimsOfTheMonth(from: number, to: number, prefix: string): Generator<{ claim: unknown; institution: string }> {
  const r = rng(prefix.charCodeAt(0));
  let sum = 0;
  const cumulative = MIX.map((m) => (sum += m.share));
  const span = to - from;
  for (let k = 0; k < total; k++) {
    const at = from + Math.floor(((k + r()) / total) * span * 0.98);
    const u = r();
    const m = MIX[cumulative.findIndex((c) => u < c)] ?? MIX[MIX.length - 1]!;
    const claimId = `${prefix}${tag}${String(k).padStart(9, '0')}`;
    let lines: Line[];
    let insured;
    let times: Record<string, string>;
    if (m.kind === 'pharmacy') {
      insured = visitor(r, prefix, k);
      const count = 1 + Math.floor(r() * 8) + Math.floor(r() * 4);
      const drugs = pick(r, PHARMACY_DRUGS, count);
      lines = drugs.map((d) => ({ itemCode: d.code, hospitalItemName: d.name, category: 'drug', at, quantity: 1 + Math.floor(r() * 3), priceFen: d.priceFen, spec: d.spec, days: 7 }));
      times = { visitAt: cst(at) };
    } else if (m.kind === 'outpatient') {
      insured = visitor(r, prefix, k);
      const drug = ITEMS.filter((i) => i.category === 'drug')[Math.floor(r() * 3)]!;
      lines = [
        { itemCode: '110100001', hospitalItemName: '普通门诊诊查费', category: 'service', at, quantity: 1, priceFen: 1000 },
        { itemCode: ITEMS[3]!.code, hospitalItemName: ITEMS[3]!.name, category: 'lab', at, quantity: 1, priceFen: ITEMS[3]!.priceFen },
        { itemCode: drug.code, hospitalItemName: drug.name, category: 'drug', at, quantity: 1 + Math.floor(r() * 3), priceFen: drug.priceFen, spec: drug.spec ?? '1g', days: 3 },
      ];
      times = { visitAt: cst(at) };
    } else {
      // every stay a person of its own: stays of one person that overlap are a violation, and
      // the benchmark is about institutions, not people
      insured = { ...person(k), id: `3201${tag}${prefix}I${String(k).padStart(9, '0')}` };
      const days = 2 + Math.floor(r() * 6);
      const admitted = Math.max(from, at - days * DAY);
      const discharged = admitted + days * DAY;
      const chosen = pick(r, ITEMS, 8 + Math.floor(r() * 5));
      lines = chosen.map((item) => ({
        itemCode: item.code,
        hospitalItemName: item.name,
        category: item.category,
        at: admitted + Math.floor(r() * days) * DAY + 3_600_000,
        quantity: item.perDay ? days : 1 + Math.floor(r() * 2),
        priceFen: item.priceFen,
        ...(item.spec ? { spec: item.spec, days: 1 } : {}),
      }));
      times = { admittedAt: cst(admitted), dischargedAt: cst(discharged), medType: '21' };
    }
    let totalFen = 0;
    const wire = lines.map((l, i) => {
      totalFen += l.priceFen * l.quantity;
      return {
        lineId: `L${i + 1}`,
        itemCode: l.itemCode,
        hospitalItemName: l.hospitalItemName,
        category: l.category,
        serviceAt: cst(l.at),
        quantity: l.quantity,
        unitPrice: money(l.priceFen),
        amount: money(l.priceFen * l.quantity),
        ...(l.spec ? { specification: l.spec, daysOfSupply: l.days } : {}),
      };
    });
    const fund = Math.floor(totalFen * 0.6);
    yield {
      institution: m.institution,
      claim: {
        institutionId: m.institution,
        claimId,
        insured,
        visitType: m.kind,
        ...times,
        diagnoses: [{ code: m.kind === 'inpatient' ? 'J18.900' : 'I10.x00', main: true }],
        lines: wire,
        totalAmount: money(totalFen),
        payment: { fund: money(fund), personalAccount: '0.00', cash: money(totalFen - fund) },
      },
    };
  }
}

/**
 * Reference data: the 8 hospitals and 14 items of the intake benchmark, the pharmacies and their
 * drugs, and a stock record of every drug at every institution that sells it. Stock is ample
 * except for one drug at each pharmacy, bought for ~90 % of what the month sells, so the stock
 * rule starts withholding in the last tenth: the sum it needs is right to the end.
 */
function reference(): { text: string; params: unknown[] }[] {
  const rows = referenceSeed();
  for (const [i, id] of PHARMACIES.entries())
    rows.push({
      text: `insert into institutions (institution_id, valid_from, name, type, level, ownership, area, beds, designated_from)
             values ($1, '2000-01-01', $2, 'pharmacy', 'none', 'private', '320102', 0, '2010-01-01')`,
      params: [id, `南京基准大药房第${i + 1}店`],
    });
  for (const d of PHARMACY_DRUGS)
    rows.push({
      text: `insert into catalogue_items (item_code, valid_from, name, category, unit, price_ceiling_primary, price_ceiling_secondary, price_ceiling_tertiary)
             values ($1, '2000-01-01', $2, 'drug', '盒', $3, $3, $3)`,
      params: [d.code, d.name, money(d.priceFen)],
    });
  rows.push({
    text: `insert into catalogue_items (item_code, valid_from, name, category, unit, price_ceiling_primary, price_ceiling_secondary, price_ceiling_tertiary)
           values ('110100001', '2000-01-01', '普通门诊诊查费', 'service', '次', '10.00', '10.00', '10.00') on conflict do nothing`,
    params: [],
  });
  const stock = (institution: string, item: string, quantity: number) => ({
    text: `insert into stock_records (institution_id, item_code, month, opening_quantity, purchased_quantity) values ($1, $2, $3, 0, $4)`,
    params: [institution, item, month, quantity],
  });
  for (const m of MIX.filter((x) => x.kind === 'pharmacy')) {
    // a pharmacy claim has 6 of the 24 drugs on average, 2 boxes each
    const sold = (total * m.share * 6 * 2) / PHARMACY_DRUGS.length;
    for (const [i, d] of PHARMACY_DRUGS.entries()) rows.push(stock(m.institution, d.code, i === 0 ? Math.round(sold * 0.9) : 10_000_000));
  }
  for (const h of HOSPITALS) for (const item of ITEMS.filter((x) => x.category === 'drug')) rows.push(stock(h, item.code, 10_000_000));
  return rows;
}

// ---------------------------------------------------------------------------------------------

interface Mark {
  at: number;
  answered: number;
  cpu: CpuSnapshot | undefined;
  wal: WalUse | undefined;
  withheld: number;
  stockHits: number;
  largest: number;
  /** ms: the history read of a claim of the largest pharmacy with 8 of its drugs, median of 5 */
  stockRead: number;
}

/**
 * The private cluster of --cluster (scripts/chaos/cluster.ts, fsync and synchronous_commit on):
 * buffers that hold the month's claims (~3 GB at 500,000), as a server of a province's fund would
 * (a quarter of its memory), and checkpoints by time only, every 30 minutes. With initdb's 128 MB
 * of buffers and 1 GB of WAL the run measured a toy server: the person indexes read from the OS
 * cache once the month outgrew the buffers, and the checkpoint every ~100,000 claims made the next
 * tenth write each page it touched whole (WAL a claim 6.4 → 15.4 KB), both costs of the database's
 * size and of time, not of the institution's month, which is what this benchmark isolates. The
 * table shows the checkpoints of each tenth.
 */
const CLUSTER = { shared_buffers: '4GB', max_wal_size: '32GB', checkpoint_timeout: '30min' };
const cluster: Cluster | undefined = values.cluster ? await createCluster(CLUSTER) : undefined;
const harness = createHarness({ serverUrl: cluster?.url ?? process.env.DATABASE_URL ?? DEFAULT_SERVER, logLevel: String(values['log-level']) });

async function main() {
  const server = harness.server();
  const [version] = await server`show server_version`;
  const [jit] = await server`show jit`;
  const [sc] = await server`show synchronous_commit`;
  const [buffers] = await server`show shared_buffers`;
  const [maxWal] = await server`show max_wal_size`;
  console.log(
    `claimscreen growth benchmark: ${total.toLocaleString('en')} claims in ${month}, streamed in time order over ${streams} stream(s); ` +
      `largest pharmacy ${Math.round(total * largestShare).toLocaleString('en')} claims (${((total * largestShare) / SIMULATOR_LARGEST).toFixed(1)}× the simulator's largest institution, ${SIMULATOR_LARGEST.toLocaleString('en')}); ` +
      `PostgreSQL ${version?.server_version} (server jit=${jit?.jit}, synchronous_commit=${sc?.synchronous_commit}, shared_buffers=${buffers?.shared_buffers}, max_wal_size=${maxWal?.max_wal_size}), pool ${pool}; ${os.cpus().length} cores, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  const db = await harness.createDatabase('growth');
  const dbName = new URL(db).pathname.slice(1);
  const env = { DATABASE_URL: db, PERSON_ID_SECRET: randomBytes(36).toString('base64url'), DB_POOL_MAX: String(pool), LOG_LEVEL: String(values['log-level']) };
  const { key } = JSON.parse(await harness.run('scripts/keys.ts', ['create', '--name', 'bench', '--role', 'settlement', '--by', 'bench'], env)) as { key: string };
  const seed = postgres(db, { max: 1, onnotice: () => {} });
  for (const row of reference()) await seed.unsafe(row.text, row.params as never[]);
  await seed.end();

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = await harness.startChild('src/main.ts', { ...env, HOST: '127.0.0.1', PORT: String(port) }, 'service', `${url}/readyz`);

  // The stock read as the service makes it, from this process on a connection of its own.
  const probeDb = await openDatabase({ databaseUrl: db, pgliteDir: '', poolMax: 1, statementTimeoutMs: 60_000 });
  const history = createHistoryRepository({ database: probeDb, windowDays: loadConfig({}).HISTORY_WINDOW_DAYS });
  const probe = {
    institutionId: LARGEST,
    claimNo: 'PROBE',
    personHash: 'nobody',
    startedAt: monthEnd - DAY,
    endedAt: monthEnd - DAY,
    lines: PHARMACY_DRUGS.slice(0, 8).map((d) => ({ itemCode: d.code })),
  } as unknown as Claim;
  const stockRead = async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await history.forClaim(probe);
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[2]!;
  };

  let answered = 0;
  let withheld = 0;
  let stockHits = 0;
  let largest = 0;
  const failures = new Map<string, number>();
  const tenth = Math.ceil(total / 10);
  const marks: Mark[] = [];
  const mark = async () => {
    const m: Mark = { at: performance.now(), answered, cpu: cpuSnapshot(), wal: await harness.walCounters(), withheld, stockHits, largest, stockRead: 0 };
    m.stockRead = await stockRead();
    // the probe's own CPU and time are not the intake's
    m.cpu = cpuSnapshot();
    m.at = performance.now();
    marks.push(m);
  };
  // The month before, unmeasured: in production a person's claims of the past year are in the
  // window the history reads, so a claim on the 1st meets as much history as one on the 28th. A
  // fresh database would start every person empty and charge the month for their growing history.
  if (!values.cold) {
    const started = performance.now();
    let warm = 0;
    const failed: number[] = [];
    const before = claimsOfTheMonth(previousStart, monthStart, 'W');
    const source: Iterable<{ claim: unknown; institution: string }> = { [Symbol.iterator]: () => ({ next: () => before.next() }) };
    await Promise.all(Array.from({ length: streams }, () => streamClaims(source, { url, key, onAnswer: (a) => (warm++, a.status !== 200 && failed.push(a.status)) })));
    console.log(
      `the month before (${new Date(previousStart + CST).toISOString().slice(0, 7)}, unmeasured): ${warm.toLocaleString('en')} claims in ${((performance.now() - started) / 1000).toFixed(0)} s` +
        `${failed.length ? `, ${failed.length} not 200` : ''}; then ${month}, a row a tenth:\n`,
    );
  }
  await mark();
  let pending: Promise<void> = Promise.resolve();
  const onAnswer = (a: AnswerLine, sent: { institution: string }) => {
    answered++;
    if (a.status !== 200) failures.set(String(a.status), (failures.get(String(a.status)) ?? 0) + 1);
    if (a.answer?.decision === 'withhold') withheld++;
    if (a.answer?.findings.some((f) => f.ruleId === 'SUB-STOCK-SHORTAGE')) stockHits++;
    if (sent.institution === LARGEST) largest++;
    if (answered % tenth === 0 || answered === total) {
      const row = marks.length;
      pending = pending.then(() => mark()).then(() => printRow(row));
    }
  };

  console.log(
    '\n| tenth | claims of the month | claims/s | PostgreSQL CPU a claim | service CPU a claim | WAL a claim (full pages) | checkpoints | stock read, largest pharmacy | withheld | stock findings | other processes |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const roles = { service: service.pid ?? 0, baseline: -1, serviceDb: dbName, baselineDb: '' };
  const rows: { rate: number; pg: number; svc: number }[] = [];
  const printRow = (i: number) => {
    const a = marks[i - 1]!;
    const b = marks[i]!;
    const n = b.answered - a.answered;
    const wall = b.at - a.at;
    const cpu = cpuBetween(a.cpu, b.cpu, wall, roles);
    const wal = walBetween(a.wal, b.wal);
    const per = (ms: number | undefined) => (ms === undefined ? NaN : (ms / n) * 1000);
    const row = { rate: (n / wall) * 1000, pg: per(cpu?.postgresService), svc: per(cpu?.service) };
    rows.push(row);
    console.log(
      `| ${i} | ${b.answered.toLocaleString('en')} | ${row.rate.toFixed(0)} | ${row.pg.toFixed(0)} µs | ${row.svc.toFixed(0)} µs | ` +
        `${wal ? `${(wal.bytes / n / 1024).toFixed(1)} KB (${(wal.fpi / n).toFixed(2)})` : '-'} | ${wal?.checkpoints ?? '-'} | ${b.stockRead.toFixed(1)} ms | ${b.withheld - a.withheld} | ${b.stockHits - a.stockHits} | ` +
        `${cpu ? `${((cpu.other / (wall * os.cpus().length)) * 100).toFixed(0)}%` : '-'} |`,
    );
  };

  const all = claimsOfTheMonth(monthStart, monthEnd, 'G');
  // one source, several streams: each stream pulls the next claim of the month when it can send
  const shared: Iterable<{ claim: unknown; institution: string }> = { [Symbol.iterator]: () => ({ next: () => all.next() }) };
  await Promise.all(Array.from({ length: streams }, () => streamClaims(shared, { url, key, onAnswer })));
  await pending;
  await probeDb.close();

  const first = rows[0];
  const last = rows[rows.length - 1];
  console.log(`\nanswered ${answered.toLocaleString('en')} of ${total.toLocaleString('en')}; not 200: ${failures.size === 0 ? 'none' : [...failures].map(([s, n]) => `${s} × ${n}`).join(', ')}`);
  console.log(`history read for the probe before the month's first claim: ${marks[0]!.stockRead.toFixed(1)} ms`);
  if (first && last) {
    const cpuRatio = last.pg / first.pg;
    const rateRatio = last.rate / first.rate;
    console.log(
      `goal: last tenth's PostgreSQL CPU a claim ${cpuRatio.toFixed(2)}× the first's (≤ 1.2: ${cpuRatio <= 1.2 ? 'met' : 'MISSED'}); ` +
        `claims/s ${(rateRatio * 100).toFixed(0)}% of the first's (≥ 85%: ${rateRatio >= 0.85 ? 'met' : 'MISSED'}); ` +
        `service CPU a claim ${(last.svc / first.svc).toFixed(2)}×`,
    );
  }
}

let failed = false;
try {
  await main();
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await harness.close({ keep: values.keep === true && !cluster });
  await cluster?.destroy();
}
process.exit(failed ? 1 : 0);
