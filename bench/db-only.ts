/**
 * The database's share of a claim, alone: the history read and the insert the service makes for
 * each claim, through the service's own repositories, with no HTTP, schema, hashing or rules
 * (claims are normalised before the clock starts). Its throughput is the ceiling of this write
 * shape on the machine. `npx tsx bench/db-only.ts [--claims 6000] [--concurrency 64] [--pool 8]
 * [--batch 32] [--in-flight 2] [--no-history] [--no-version] [--findings 0] [--severity medium] [--sample] [--keep] [--statements]`, on a fresh database of the server of DATABASE_URL (default: local).
 * `--findings <share>` gives that share of the claims a finding on their first line: with
 * `--severity medium` (the default) a suspicion, which opens a review case, so the review triggers'
 * work (case opened, reason added, case recounted) is measured with the insert; with `--severity
 * violation` a withheld line, as the intake benchmark's price cap, which opens none. `--sample`
 * sets the sessions up for the random re-check as the service does (its default rates: 5 % of
 * stays), so the drawn claims' cases are measured too.
 * Where the server has pg_stat_statements, its figures for this database are printed too: WAL,
 * WAL records and shared buffers a claim (top-level statements: the triggers' and foreign keys'
 * work included), and the foreign-key checks a claim (statements of the form `SELECT 1 FROM ONLY`).
 * With `--statements`, each statement's share too (the triggers' own statements, nested), by time.
 * The database holds the intake benchmark's reference data (its hospitals and catalogue).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { decide } from '../rules/decide.js';
import type { Finding } from '../rules/finding.js';
import { buildAnswer } from '../src/claims/answer.js';
import { buildClaimSchema, type ClaimInput } from '../src/claims/claim.schema.js';
import { createClaimsRepository } from '../src/claims/claims.repository.js';
import { normalizeClaim, storableBody } from '../src/claims/normalize.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { keyedHash } from '../src/lib/hash.js';
import { uuid7 } from '../src/lib/uuid7.js';
import { ratesPpm, sampleKey, sampleSessionSettings } from '../src/review/sampling.js';
import { splitFindings } from '../src/screening/findings.js';
import { createHistoryRepository } from '../src/screening/history.repository.js';
import { claimTemplates, fillClaim, referenceSeed } from './claims.js';
import { cpuBetween, cpuSnapshot } from './cpu.js';

const { values } = parseArgs({
  options: {
    claims: { type: 'string', default: '6000' },
    concurrency: { type: 'string', default: '64' },
    pool: { type: 'string' },
    batch: { type: 'string' },
    'in-flight': { type: 'string' },
    'no-history': { type: 'boolean', default: false },
    'no-version': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    statements: { type: 'boolean', default: false },
    findings: { type: 'string', default: '0' },
    severity: { type: 'string', default: 'medium' },
    sample: { type: 'boolean', default: false },
  },
});
const claims = Number(values.claims);
const concurrency = Number(values.concurrency);
const config = loadConfig({});
const pool = Number(values.pool ?? config.DB_POOL_MAX);
const batch = Number(values.batch ?? config.DB_BATCH_MAX);
const inFlight = Number(values['in-flight'] ?? config.DB_BATCHES_IN_FLIGHT);
const findingShare = Number(values.findings);
const severity = values.severity as Finding['severity'];
if (!['violation', 'high', 'medium', 'low'].includes(severity)) throw new Error(`--severity: violation, high, medium or low, not ${severity}`);

const base = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const name = `cs_bench_dbonly_${Date.now().toString(36)}`;
const admin = postgres(base, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(base);
url.pathname = `/${name}`;
const statementsOf = async () => {
  try {
    const [row] = await admin.unsafe<{ wal: string; records: string; fpi: string; blocks: string; fk: string }[]>(
      `select coalesce(sum(wal_bytes) filter (where toplevel), 0)::text as wal, coalesce(sum(wal_records) filter (where toplevel), 0)::text as records,
              coalesce(sum(wal_fpi) filter (where toplevel), 0)::text as fpi,
              coalesce(sum(shared_blks_hit + shared_blks_read) filter (where toplevel), 0)::text as blocks,
              coalesce(sum(calls) filter (where not toplevel and query like 'SELECT $_ FROM ONLY %'), 0)::text as fk
       from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = $1`,
      [name],
    );
    return row && { wal: Number(row.wal), records: Number(row.records), fpi: Number(row.fpi), blocks: Number(row.blocks), fk: Number(row.fk) };
  } catch {
    return undefined; // no pg_stat_statements on this server
  }
};
type StatementFigures = { query: string; toplevel: boolean; calls: number; ms: number; wal: number; records: number };
// each statement's figures in this database, nested ones included (what a trigger runs)
const eachStatement = async () => {
  try {
    const rows = await admin.unsafe<{ query: string; toplevel: boolean; calls: string; ms: number; wal: string; records: string }[]>(
      `select s.query, s.toplevel, s.calls::text as calls, s.total_exec_time as ms, s.wal_bytes::text as wal, s.wal_records::text as records
       from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = $1`,
      [name],
    );
    return new Map(
      rows.map((r): [string, StatementFigures] => [
        `${r.toplevel}|${r.query}`,
        { query: r.query, toplevel: r.toplevel, calls: Number(r.calls), ms: r.ms, wal: Number(r.wal), records: Number(r.records) },
      ]),
    );
  } catch {
    return undefined;
  }
};
const secret = 'x'.repeat(40);
const database = await openDatabase({
  databaseUrl: url.toString(),
  pgliteDir: '',
  poolMax: pool,
  statementTimeoutMs: 60_000,
  ...(values.sample ? { sessionSettings: sampleSessionSettings(sampleKey(config, secret), ratesPpm(config)) } : {}),
});
try {
  // the intake benchmark's institutions and catalogue (bench/claims.ts), as the service's database
  // holds them: the stock rules' totals are kept for the catalogue's drugs and consumables only
  for (const row of referenceSeed()) await database.query(row.text, row.params);
  const repository = createClaimsRepository({ database, maxBatch: batch, maxBatchesInFlight: inFlight });
  const history = createHistoryRepository({ database, windowDays: config.HISTORY_WINDOW_DAYS, maxBatch: batch, maxBatchesInFlight: inFlight });
  const schema = buildClaimSchema({ maxLines: 1000 });
  const templates = claimTemplates(1000);
  const screened = Array.from({ length: claims }, (_, i) => {
    const input = schema.parse(JSON.parse(fillClaim(templates[i % templates.length] as string, `DB-${i}`, `P-${name}-${i}`))) as ClaimInput;
    const claim = normalizeClaim(input, keyedHash(secret, input.insured.id));
    const id = uuid7(); // time-ordered, as the service's (src/lib/uuid7.ts)
    // every 1/share-th claim, spread evenly over the run
    const suspect = findingShare > 0 && Math.floor((i + 1) * findingShare) > Math.floor(i * findingShare);
    const line = claim.lines[0];
    const found: Finding[] =
      suspect && line
        ? [
            {
              ruleId: 'BENCH-SUSPICION',
              ruleVersion: 1,
              family: 'price',
              severity,
              status: 'active',
              message: { zh: '价格可疑', en: 'price in doubt' },
              violatingLines: [line.lineId],
              involvedLines: [],
              otherClaims: [],
              amountFen: Math.ceil(line.amountFen / 2),
            },
          ]
        : [];
    const { own, ownFindings } = splitFindings(claim, found);
    const answer = buildAnswer({ id, claim, findings: ownFindings, findingIds: own.map((f) => f.id), decision: decide(claim, ownFindings), screenedAt: Date.now() });
    return { id, claim, contentHash: keyedHash(secret, id), clientId: null, body: storableBody(input), answer, findings: own, retrospective: [] };
  });

  const statementsBefore = await statementsOf();
  const eachBefore = values.statements ? await eachStatement() : undefined;
  const before = cpuSnapshot();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < screened.length) {
        const s = screened[next++]!;
        // the person's version the history read is what the claim's statement checks and moves on
        const read = values['no-history'] ? undefined : await history.forClaim(s.claim);
        const personVersion = values['no-version'] ? undefined : read?.personVersion;
        await repository.insertScreened({ ...s, personVersion });
      }
    }),
  );
  const wall = performance.now() - started;
  const cpu = cpuBetween(before, cpuSnapshot(), wall, { service: -1, baseline: -1, serviceDb: name, baselineDb: '' });
  const per = (ms: number) => `${((ms / claims) * 1000).toFixed(0)} µs`;
  console.log(
    `${values['no-history'] ? 'insert' : 'history + insert'}${values['no-version'] || values['no-history'] ? '' : ' (person version checked)'}: ${claims} claims, ${concurrency} in flight, pool ${pool}, batches of ≤ ${batch}, ${inFlight} of each kind at once: ${((claims / wall) * 1000).toFixed(0)} claims/s` +
      (cpu ? `   cpu/claim: postgres ${per(cpu.postgresService)}, node ${per(cpu.generator)}   other processes ${((cpu.other / (wall * os.cpus().length)) * 100).toFixed(0)}%` : ''),
  );
  const statementsAfter = await statementsOf();
  if (statementsBefore && statementsAfter) {
    const d = (k: keyof typeof statementsAfter) => (statementsAfter[k] - statementsBefore[k]) / claims;
    console.log(
      `  this database (pg_stat_statements): WAL ${(d('wal') / 1024).toFixed(2)} KB a claim, ${d('records').toFixed(1)} records, ${d('fpi').toFixed(2)} full pages; ` +
        `${d('blocks').toFixed(0)} shared buffers a claim; foreign-key checks ${d('fk').toFixed(1)} a claim`,
    );
  }
  const eachAfter = values.statements ? await eachStatement() : undefined;
  if (eachBefore && eachAfter) {
    const rows = [...eachAfter.entries()]
      .map(([key, a]) => {
        const b = eachBefore.get(key);
        return { ...a, calls: a.calls - (b?.calls ?? 0), ms: a.ms - (b?.ms ?? 0), wal: a.wal - (b?.wal ?? 0), records: a.records - (b?.records ?? 0) };
      })
      .filter((r) => r.calls > 0)
      .sort((x, y) => y.ms - x.ms)
      .slice(0, 15);
    console.log('  a claim, by statement (execution time on the server, WAL bytes, WAL records; nested = run by a trigger or function):');
    for (const r of rows)
      console.log(
        `  ${((r.ms * 1000) / claims).toFixed(1).padStart(7)} µs ${(r.wal / claims).toFixed(0).padStart(6)} B ${(r.records / claims).toFixed(1).padStart(5)} rec ${(r.calls / claims).toFixed(2).padStart(6)} calls  ${r.toplevel ? 'top   ' : 'nested'}  ${r.query.replace(/\s+/g, ' ').slice(0, 110)}`,
      );
  }
} finally {
  await database.close();
  if (values.keep) console.log(`kept database ${name}`);
  else await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
