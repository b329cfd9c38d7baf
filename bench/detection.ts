/**
 * `npm run bench:detection`: the synthetic world's labelled month, and a clean month with nothing
 * injected, through the real service, with findings scored against the simulator's truth labels
 * per rule family (bench/detection-score.ts says how). See bench/README.md.
 *
 * Each month runs on a fresh database: a fresh database on the server of DATABASE_URL when it is
 * set (dropped afterwards), else an in-memory PGlite. The service is started in this process
 * (src/server.ts, the same composition as `npm start`) on a free port; the reference data goes in
 * through PUT /v1/reference/*, the claims through one NDJSON stream (POST /v1/claims/stream) in
 * arrival order, late claims and all; the findings are then read from the findings table (own and
 * retrospective).
 *
 * Flags: --seed <n> (42) --month <yyyy-MM> (2026-10) --scale <x> (1: ~60,000 claims)
 *        --clean-scale <x> (0.25: ~15,000 claims; must give ≥ 10,000) --skip-clean --skip-labelled
 *        --show <n> (missed labels and false findings printed per family, 3)
 *        --in-process (no service and no database: the same screening in this process, history
 *        from memory, bench/in-process.ts; for iterating on rules, not the figure of record)
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { freshDatabaseUrl } from '../test/support/database.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startService } from '../src/server.js';
import { simulate, type SimulatedClaim, type Simulation } from '../sim/simulation.js';
import type { ViolationTruth } from '../sim/types.js';
import { loadReference } from '../scripts/sim/load-reference.js';
import { streamClaims } from '../scripts/sim/stream-claims.js';
import { catalogue } from '../rules/catalogue.js';
import { score, type FoundRow, type Score } from './detection-score.js';
import { buildReference, InProcessScreening } from './in-process.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    month: { type: 'string', default: '2026-10' },
    scale: { type: 'string', default: '1' },
    'clean-scale': { type: 'string', default: '0.25' },
    'skip-clean': { type: 'boolean', default: false },
    'skip-labelled': { type: 'boolean', default: false },
    show: { type: 'string', default: '3' },
    'in-process': { type: 'boolean', default: false },
  },
});
const seed = /^\d+$/.test(values.seed as string) ? Number(values.seed) : (values.seed as string);
const show = Number(values.show);
const GOAL = { recall: 0.99, precision: 0.98 };
const log = (text: string) => process.stderr.write(`${text}\n`);
const out = (text: string) => process.stdout.write(`${text}\n`);

interface MonthRun {
  claims: number;
  seconds: number;
  statuses: Map<number, number>;
  truths: ViolationTruth[];
  found: FoundRow[];
  ruleErrors: number;
}

function runInProcess(sim: Simulation, label: string): MonthRun {
  const screening = new InProcessScreening(catalogue, buildReference(sim.reference()));
  const truths: ViolationTruth[] = [];
  const started = performance.now();
  let n = 0;
  for (const c of sim.claims()) {
    truths.push(...c.truth);
    screening.screen(c.claim);
    if (++n % 10_000 === 0) log(`${label}: ${n.toLocaleString('en')} claims screened`);
  }
  return { claims: n, seconds: (performance.now() - started) / 1000, statuses: new Map([[200, n]]), truths, found: screening.found, ruleErrors: screening.ruleErrors };
}

async function runMonth(sim: Simulation, label: string): Promise<MonthRun> {
  if (values['in-process']) return runInProcess(sim, label);
  // an empty database (the service migrates it as it starts): the migrated template is a test run's, not a bench's
  const db = await freshDatabaseUrl({ empty: true });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: 'memory://',
    PERSON_ID_SECRET: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'warn',
    ...(db.url ? { DATABASE_URL: db.url } : {}),
  });
  const service = await startService(config, createLogger('warn'));
  try {
    const admin = (await service.deps.keys.create({ clientName: 'bench-detection', role: 'admin', createdBy: 'bench' })).key;
    const settlement = (await service.deps.keys.create({ clientName: 'bench-detection', role: 'settlement', createdBy: 'bench' })).key;
    await loadReference(sim.reference(), service.url, admin);
    await service.deps.referenceCache.refresh(true);
    const truths: ViolationTruth[] = [];
    const statuses = new Map<number, number>();
    let answered = 0;
    const started = performance.now();
    const claims = (function* () {
      for (const c of sim.claims()) {
        truths.push(...c.truth);
        yield c;
      }
    })();
    await streamClaims(claims, {
      url: service.url,
      key: settlement,
      onAnswer: (a, _c: SimulatedClaim) => {
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        if (++answered % 10_000 === 0) log(`${label}: ${answered.toLocaleString('en')} claims answered`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const rows = await service.deps.database.query<{
      institution_id: string;
      claim_no: string;
      family: string;
      rule_id: string;
      retrospective: boolean;
      violating_lines: unknown;
      involved_lines: unknown;
      message: unknown;
    }>(
      `select c.institution_id, c.claim_no, f.family, f.rule_id, f.retrospective, f.violating_lines, f.involved_lines, f.message
       from findings f join claims c on c.id = f.claim_id`,
    );
    const parse = <T>(v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as T;
    const found: FoundRow[] = rows.map((r) => ({
      institutionId: r.institution_id,
      claimId: r.claim_no,
      family: r.family,
      ruleId: r.rule_id,
      retrospective: r.retrospective,
      violatingLines: parse<string[]>(r.violating_lines),
      involvedLines: parse<string[]>(r.involved_lines),
      message: parse<{ en: string }>(r.message).en,
    }));
    const metrics = await service.deps.metrics.registry.getSingleMetric('rule_errors_total')?.get();
    const ruleErrors = (metrics?.values ?? []).reduce((s, v) => s + v.value, 0);
    return { claims: answered, seconds, statuses, truths, found, ruleErrors };
  } finally {
    await service.stop();
    await db.drop();
  }
}

const pct = (x: number) => (x * 100).toFixed(2).padStart(6);

function report(run: MonthRun, s: Score) {
  out(
    `  claims ${run.claims.toLocaleString('en')} in ${run.seconds.toFixed(1)} s (${Math.round(run.claims / run.seconds).toLocaleString('en')}/s); answers ${[...run.statuses].map(([k, v]) => `${k}: ${v}`).join(', ')}; rule errors ${run.ruleErrors}`,
  );
  out('  family             labels  recalled  lines ok  recall %   found  true  precision %  goal');
  for (const f of s.families) {
    const ok = f.recall >= GOAL.recall && f.precision >= GOAL.precision;
    out(
      `  ${f.family.padEnd(18)} ${String(f.labels).padStart(6)} ${String(f.recalled).padStart(9)} ${String(f.linesRecalled).padStart(9)}   ${pct(f.recall)}  ${String(f.found).padStart(6)} ${String(f.trueFound).padStart(5)}       ${pct(f.precision)}  ${ok ? 'met' : 'MISSED'}`,
    );
  }
  const byFamily = <T extends { family: string }>(xs: readonly T[]) => {
    const m = new Map<string, T[]>();
    for (const x of xs) m.set(x.family, [...(m.get(x.family) ?? []), x]);
    return m;
  };
  for (const [family, missed] of byFamily(s.missed)) {
    const variants = new Map<string, number>();
    for (const t of missed) variants.set(t.variant, (variants.get(t.variant) ?? 0) + 1);
    out(`  missed ${family}: ${[...variants].map(([v, n]) => `${v} ${n}`).join(', ')}`);
    for (const t of missed.slice(0, show))
      out(`    ${t.claim.institutionId}/${t.claim.claimId} ${t.variant} lines ${t.lines.join(',')}${t.otherClaims.length ? ` with ${t.otherClaims.map((o) => o.claimId).join(',')}` : ''}`);
  }
  for (const [family, rows] of byFamily(s.falseFindings)) {
    const rules = new Map<string, number>();
    for (const r of rows) rules.set(r.ruleId, (rules.get(r.ruleId) ?? 0) + 1);
    out(`  false ${family}: ${[...rules].map(([r, n]) => `${r} ${n}`).join(', ')}`);
    for (const r of rows.slice(0, show)) out(`    ${r.institutionId}/${r.claimId} ${r.ruleId}${r.retrospective ? ' (retrospective)' : ''}: ${r.message}`);
  }
}

const where = values['in-process'] ? 'no database (in process, history from memory)' : process.env.DATABASE_URL ? 'the service on PostgreSQL (DATABASE_URL)' : 'the service on PGlite (in memory)';
let failed = false;
if (!values['skip-labelled']) {
  const sim = simulate({ seed, month: values.month as string, scale: Number(values.scale) });
  log(`labelled month: seed ${seed}, ${values.month}, scale ${values.scale}: ${sim.claimCount().toLocaleString('en')} claims`);
  const run = await runMonth(sim, 'labelled');
  const s = score(run.truths, run.found);
  out(`labelled month ${values.month}, seed ${seed}, scale ${values.scale}, on ${where}`);
  report(run, s);
  if (s.families.some((f) => f.recall < GOAL.recall || f.precision < GOAL.precision)) failed = true;
}
if (!values['skip-clean']) {
  const sim = simulate({ seed, month: values.month as string, scale: Number(values['clean-scale']), clean: true });
  const count = sim.claimCount();
  log(`clean month: seed ${seed}, ${values.month}, scale ${values['clean-scale']}: ${count.toLocaleString('en')} claims`);
  if (count < 10_000) log(`warning: the clean month has ${count} claims; the goal is judged on at least 10,000`);
  const run = await runMonth(sim, 'clean');
  const s = score(run.truths, run.found);
  out(`clean month ${values.month}, seed ${seed}, scale ${values['clean-scale']}, on ${where}: ${run.found.length} findings (goal 0)`);
  report(run, s);
  if (run.found.length > 0 || count < 10_000) failed = true;
}
out(`goals (recall ≥ ${GOAL.recall}, precision ≥ ${GOAL.precision} per family; clean month: no finding): ${failed ? 'NOT all met' : 'all met'}`);
process.exitCode = failed ? 1 : 0;
