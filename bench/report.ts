/**
 * Monthly report benchmark against real PostgreSQL.
 *
 *   npm run bench:report -- [--claims 1000000] [--month 2026-10] [--keep]
 *
 * Creates a throwaway database on DATABASE_URL's server (default postgres://postgres:postgres@
 * localhost:5432/postgres), applies the migrations, loads the synthetic world's institutions
 * (sim's institutions at the scale that gives --claims a month) through the reference repository, and then
 * BULK-LOADS claims straight into the tables with SQL (generate_series), not through the HTTP API:
 * a million claims through the API would take the benchmark hours. The bulk claims follow the
 * world's institutions (volume and visit mix of each), with bodies of four fee lines and the
 * data-quality columns intake fills from a claim (line count, lines without the own name or a
 * specification, settledAt) drawn together with them, findings on ~6% of claims (5% of those from rules in trial), 0.5%
 * rejected submissions, 1% of claims arriving after the cut-off. The bulk tables are UNLOGGED in this throwaway database to spare the WAL.
 *
 * The month before the report month gets a tenth as many claims: its report is the baseline
 * measured in the same run (same machine load), and the ratios of time and memory between the
 * two say how each grows with the number of claims. Each report builds the data (SQL) and writes
 * all four forms to a temporary folder; time is wall clock, memory is this process's RSS sampled
 * every 10 ms (peak, and growth over the RSS before the run, after gc).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { openDatabase } from '../src/db/client.js';
import { createReferenceRepository } from '../src/reference/reference.repository.js';
import { shiftMonth } from '../src/report/period.js';
import { fileSteps, writeReportFiles } from '../src/report/report.files.js';
import { buildInstitutions } from '../sim/institutions.js';
import { resolveOptions } from '../sim/options.js';
import { INSERT_CLAIMS, INSERT_FINDINGS, INSERT_REJECTED } from './report-sql.js';

const { values } = parseArgs({ options: { claims: { type: 'string', default: '1000000' }, month: { type: 'string', default: '2026-10' }, keep: { type: 'boolean', default: false } } });
const N = Number(values.claims);
const MONTH = values.month;
const PREV = shiftMonth(MONTH, -1);
const BASE = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@localhost:5432/postgres';
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
const secs = (ms: number) => (ms / 1000).toFixed(1);
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

const name = `cs_bench_report_${Date.now().toString(36)}`;
const admin = postgres(BASE, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(BASE);
url.pathname = `/${name}`;
const database = await openDatabase({ databaseUrl: url.toString(), pgliteDir: '', poolMax: 4, statementTimeoutMs: 600_000 });
const raw = postgres(url.toString(), { max: 1, onnotice: () => {} });

try {
  process.stdout.write(`report benchmark: ${N.toLocaleString('en')} claims in ${MONTH}, ${(N / 10).toLocaleString('en')} in ${PREV}; load average ${load()} (2 cores, shared with other sessions)\n`);
  // Only the world's institutions: building its population and claims at this scale is what the bulk load avoids.
  const insts = buildInstitutions(resolveOptions({ seed: 42, month: MONTH, scale: N / 50_000 }), MONTH);
  const reference = createReferenceRepository({ database });
  await reference.upsert(
    'institutions',
    insts.map((i) => ({
      institutionId: i.id,
      name: i.name,
      type: i.type,
      level: i.level,
      ownership: i.ownership,
      area: i.area,
      beds: i.beds,
      designatedFrom: i.designatedFrom,
      validFrom: i.designatedFrom,
    })) as never,
  );
  const weight = insts.map((i) => i.admissionsPerDay + i.outpatientPerDay + i.pharmacyPerDay);
  const total = weight.reduce((s, w) => s + w, 0);
  process.stdout.write(`institutions       ${insts.length} (${new Set(insts.map((i) => `${i.type}/${i.level}`)).size} peer groups)\n`);

  // Tables that reference claims first: a table can become unlogged only once no logged table references it.
  for (const t of ['review_second_reviews', 'review_conclusions', 'review_reasons', 'review_appeals', 'review_notes', 'review_attachments', 'review_cases', 'finding_references', 'findings', 'claims'])
    await raw.unsafe(`alter table ${t} set unlogged`);
  await raw.unsafe(`select setseed(0.42)`);

  const loadStarted = performance.now();
  for (const [month, count] of [
    [PREV, Math.round(N / 10)],
    [MONTH, N],
  ] as const) {
    const counts = weight.map((w) => Math.round((count * w) / total));
    const inpatient = insts.map((i) => (i.type === 'pharmacy' ? 0 : i.admissionsPerDay / Math.max(1e-9, i.admissionsPerDay + i.outpatientPerDay)));
    // Batches of about 100,000 claims: institutions in order.
    let from = 0;
    while (from < insts.length) {
      let to = from,
        n = 0;
      while (to < insts.length && (n < 100_000 || to === from)) n += counts[to++] as number;
      await raw.unsafe(INSERT_CLAIMS, [
        `{${insts
          .slice(from, to)
          .map((i) => i.id)
          .join(',')}}`,
        `{${counts.slice(from, to).join(',')}}`,
        `{${inpatient.slice(from, to).join(',')}}`,
        `{${insts
          .slice(from, to)
          .map((i) => (i.type === 'pharmacy' ? 't' : 'f'))
          .join(',')}}`,
        month,
      ]);
      from = to;
    }
    process.stdout.write(`loaded ${month}      ${count.toLocaleString('en')} claims (${secs(performance.now() - loadStarted)} s so far)\n`);
  }
  await raw.unsafe(INSERT_FINDINGS);
  await raw.unsafe(INSERT_REJECTED, [MONTH, Math.round(N * 0.005)]);
  await raw.unsafe('analyze');
  const [sizes] = await raw.unsafe<{ claims: string; findings: number; rejected: number; bytes: string }[]>(
    `select (select count(*) from claims)::text as claims, (select count(*) from findings)::int as findings,
            (select count(*) from rejected_submissions)::int as rejected, pg_size_pretty(pg_database_size(current_database())) as bytes`,
  );
  process.stdout.write(
    `bulk load          ${secs(performance.now() - loadStarted)} s: ${Number(sizes?.claims).toLocaleString('en')} claims, ${sizes?.findings.toLocaleString('en')} findings, ${sizes?.rejected} rejected; database ${sizes?.bytes}\n`,
  );

  const out = mkdtempSync(path.join(os.tmpdir(), 'cs-report-'));
  const results: { month: string; claims: number; ms: number; peak: number; growth: number; steps: Record<string, number>; bytes: Record<string, number> }[] = [];
  for (const month of [PREV, MONTH]) {
    gc();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const started = performance.now();
    let last = started;
    const steps: Record<string, number> = {};
    const { report, files } = await writeReportFiles(
      database,
      {
        month,
        statementTimeoutMs: 600_000,
        onStep: (s) => {
          const now = performance.now();
          steps[s] = now - last;
          last = now;
        },
      },
      ['json', 'html', 'xlsx', 'csv'],
      out,
    );
    const ms = performance.now() - started;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    const bytes = Object.fromEntries(files.map((f) => [path.extname(f).slice(1), statSync(f).size]));
    results.push({ month, claims: report.fund.claims + report.late.claims, ms, peak, growth: peak - before, steps, bytes });
    process.stdout.write(
      `report ${month}     ${secs(ms)} s for ${report.fund.claims.toLocaleString('en')} claims (+${report.late.claims.toLocaleString('en')} late), ${report.institutions.length} institutions, ${report.standouts.length} stand out; ` +
        `peak RSS ${mb(peak)} MB (+${mb(peak - before)} MB over ${mb(before)} MB); load ${load()}\n` +
        `  steps: ${fileSteps(['json', 'html', 'xlsx', 'csv'])
          .map((s) => `${s} ${secs(steps[s] ?? 0)}`)
          .join(', ')}\n` +
        `  files: ${Object.entries(bytes)
          .map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KB`)
          .join(', ')}\n`,
    );
  }
  rmSync(out, { recursive: true, force: true });
  const [small, big] = results as [(typeof results)[0], (typeof results)[0]];
  process.stdout.write(
    `\nclaims ratio ${(big.claims / small.claims).toFixed(1)}x: time ratio ${(big.ms / small.ms).toFixed(2)}x, peak RSS ratio ${(big.peak / small.peak).toFixed(2)}x, RSS growth ${mb(small.growth)} MB -> ${mb(big.growth)} MB\n` +
      `goal: ${N.toLocaleString('en')} claims under 60 s: ${big.ms < 60_000 ? 'met' : 'NOT met'} (${secs(big.ms)} s) on a machine with load average ${load()}\n`,
  );
} finally {
  await database.close();
  await raw.end();
  if (!values.keep) await admin.unsafe(`drop database if exists ${name} with (force)`);
  else process.stdout.write(`kept database ${name}\n`);
  await admin.end();
}
