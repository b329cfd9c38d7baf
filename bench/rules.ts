/**
 * `npm run bench:rules`: rule evaluation in process, with realistic history, on one core.
 *
 * The synthetic world's labelled month is screened once in arrival order (bench/in-process.ts:
 * the service's schema, normalisation, reference snapshot and engine, history from memory as the
 * history query returns it), and the engine's whole input of every claim is kept: the claim, the
 * person's earlier claims around it, the institution's month quantities and stock. Then only
 * `evaluateRules` over the whole catalogue is timed, alternately with the reference data alone
 * (no national list) and with every national list of ../shared/data/nhsa-two-libraries loaded
 * into the same snapshot, for several rounds: the two are measured in the same run under the
 * same contention, and the ratio is printed. claims/s is given by wall time and by this
 * process's CPU time (user + system): on a shared machine the CPU figure is the one-core figure.
 *
 * The findings of every claim are digested (rule, claim, lines, amounts, both sentences) and the
 * digest compared with the one recorded in bench/rules-digest.json for the same seed, month and
 * scale: a change made for speed must leave it identical (--record-digest records it anew, for a
 * change of the rules themselves). Then each rule alone is timed, less a pass with no rule: the
 * table of where a claim's microseconds go.
 *
 * Through tsx this measures TypeScript as esbuild transforms it; production runs tsc's JavaScript
 * (Dockerfile: node dist/src/main.js). `npx tsc -p tsconfig.bench.json && node dist/bench-rules/bench/rules.js` runs the same benchmark compiled; the first line
 * printed says which it is.
 *
 * Flags: --seed <n> (42) --month <yyyy-MM> (2026-10) --scale <x> (0.25: ~15,000 claims)
 *        --rounds <n> (7) --warmup <n> (4) --national <dir> (../shared/data/nhsa-two-libraries)
 *        --per-rule <n | all | none> (15: the dearest rules shown) --per-rule-passes <n> (1)
 *        --record-digest
 */
import { createHash, type Hash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { catalogue } from '../rules/catalogue.js';
import type { Claim } from '../rules/claim.js';
import { evaluateRules, type AnyRule, type Evaluation } from '../rules/engine.js';
import { snapshotView } from '../src/screening/reference-cache.js';
import { simulate } from '../sim/simulation.js';
import { buildReference, InProcessScreening, type Prepared } from './in-process.js';

// compiled (tsconfig.bench.json), this file is dist/bench-rules/bench/rules.js: the project is three levels up
const compiled = !import.meta.url.endsWith('.ts');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), compiled ? '../../..' : '..');
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    month: { type: 'string', default: '2026-10' },
    scale: { type: 'string', default: '0.25' },
    rounds: { type: 'string', default: '7' },
    /** untimed passes over every claim with each reference before the timed rounds (the first takes the digests) */
    warmup: { type: 'string', default: '4' },
    national: { type: 'string', default: path.resolve(root, '../shared/data/nhsa-two-libraries') },
    /** how many of the dearest rules the cost table shows: a number, all, or none */
    'per-rule': { type: 'string', default: '15' },
    'per-rule-passes': { type: 'string', default: '1' },
    'record-digest': { type: 'boolean', default: false },
  },
});
const GOAL = { claimsPerSecond: 20_000, nationalRatio: 2 };
const log = (text: string) => process.stderr.write(`${text}\n`);
const out = (text: string) => process.stdout.write(`${text}\n`);

const seed = /^\d+$/.test(values.seed as string) ? Number(values.seed) : (values.seed as string);
const sim = simulate({ seed, month: values.month as string, scale: Number(values.scale) });
const batches = sim.reference();
const plain = buildReference(batches);
const national = buildReference(batches, values.national as string);
log(`national lists: ${national.nationalEntries.toLocaleString('en')} entries from ${values.national}`);

// one pass in arrival order to assemble every claim's input (history as stored so far)
const screening = new InProcessScreening(catalogue, plain);
const inputs: Omit<Prepared, 'reference'>[] = [];
for (const { claim: wire } of sim.claims()) {
  const { reference: _, ...p } = screening.prepare(wire);
  inputs.push(p);
  screening.history.store(p.claim);
}
const lines = inputs.reduce((s, i) => s + i.claim.lines.length, 0);
const historyClaims = inputs.reduce((s, i) => s + i.history.personClaims.length, 0);
log(`${inputs.length.toLocaleString('en')} claims, ${(lines / inputs.length).toFixed(1)} lines and ${(historyClaims / inputs.length).toFixed(2)} history claims each on average`);

const viewOf = (ref: typeof plain, i: (typeof inputs)[number]) => snapshotView(ref.snapshot, i.stock, { personHash: i.claim.personHash, versions: ref.persons.get(i.claim.personHash) ?? [] });

/** one pass over every claim with the given rules; CPU (user + system) and wall seconds */
function run(ref: typeof plain, rules: readonly AnyRule[] = catalogue, digest?: Hash) {
  let findings = 0;
  let errors = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const i of inputs) {
    const r = evaluateRules(rules, { claim: i.claim, history: i.history, reference: viewOf(ref, i), serviceDate: i.serviceDate });
    findings += r.findings.length;
    errors += r.errors.length;
    if (digest) digestOf(digest, i.claim, r);
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6, findings, errors };
}

/** every finding and error of a claim, field by field, into the digest (outside the timed passes) */
function digestOf(h: Hash, c: Claim, r: Evaluation) {
  for (const f of r.findings)
    h.update(
      JSON.stringify([c.institutionId, c.claimNo, f.ruleId, f.ruleVersion, f.family, f.severity, f.status, f.violatingLines, f.involvedLines, f.otherClaims, f.amountFen, f.message.zh, f.message.en]),
    );
  for (const e of r.errors) h.update(JSON.stringify([c.institutionId, c.claimNo, 'error', e.ruleId, e.message]));
}

// Warm-up, untimed: a process screening claims all day runs the rules' optimised code, and V8 takes
// several passes over the month to get there (each rule is called once a claim, its rarer paths
// later still): the first pass costs 3–10× a settled one, the second up to 1.6×, the third up to 1.3×
// (bench/README.md). The first pass of each reference also takes the findings' digest.
const digests = { none: createHash('sha256'), national: createHash('sha256') };
const warmup = Math.max(1, Number(values.warmup));
const warm: { none: number[]; national: number[] } = { none: [], national: [] };
for (let w = 0; w < warmup; w++) {
  warm.none.push(run(plain, catalogue, w === 0 ? digests.none : undefined).cpu);
  warm.national.push(run(national, catalogue, w === 0 ? digests.national : undefined).cpu);
}
const digest = { none: digests.none.digest('hex').slice(0, 16), national: digests.national.digest('hex').slice(0, 16) };

const rounds = Number(values.rounds);
const results = { none: [] as ReturnType<typeof run>[], national: [] as ReturnType<typeof run>[] };
for (let r = 0; r < rounds; r++) {
  results.none.push(run(plain));
  results.national.push(run(national));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const perSecond = (rs: ReturnType<typeof run>[], key: 'wall' | 'cpu') => inputs.length / median(rs.map((r) => r[key]));
const usPerClaim = (rs: ReturnType<typeof run>[]) => (median(rs.map((r) => r.cpu)) / inputs.length) * 1e6;

out(
  `rule evaluation in process (${compiled ? 'compiled JavaScript, as production runs it' : 'TypeScript through tsx'}): ${catalogue.length} rules, ${inputs.length.toLocaleString('en')} claims of seed ${seed} ${values.month} (scale ${values.scale}), ${warmup} warm-up passes and ${rounds} timed rounds each, medians`,
);
out('  reference                      claims/s (wall)  claims/s (CPU)  µs/claim (CPU)  findings  errors  findings digest');
for (const [name, rs, d] of [
  ['catalogue only', results.none, digest.none],
  [`+ national lists (${national.nationalEntries.toLocaleString('en')})`, results.national, digest.national],
] as const) {
  out(
    `  ${name.padEnd(30)} ${Math.round(perSecond(rs, 'wall')).toLocaleString('en').padStart(15)} ${Math.round(perSecond(rs, 'cpu')).toLocaleString('en').padStart(15)} ${usPerClaim(rs).toFixed(1).padStart(15)} ${String(rs[0]?.findings).padStart(9)} ${String(rs[0]?.errors).padStart(7)}  ${d}`,
  );
}
const us = (cpu: number) => ((cpu / inputs.length) * 1e6).toFixed(1);
out(`  µs a claim (CPU) pass by pass, with the national lists: warm-up ${warm.national.map(us).join(' ')} | timed ${results.national.map((r) => us(r.cpu)).join(' ')}`);
out(`  the same, catalogue only:                               warm-up ${warm.none.map(us).join(' ')} | timed ${results.none.map((r) => us(r.cpu)).join(' ')}`);
const ratio = usPerClaim(results.national) / usPerClaim(results.none);
const oneCore = perSecond(results.national, 'cpu');
out(`  cost with national lists / without: ${ratio.toFixed(2)}× (goal ≤ ${GOAL.nationalRatio}×)`);
out(`  claims/s on one core (CPU time), all lists loaded: ${Math.round(oneCore).toLocaleString('en')} (goal ≥ ${GOAL.claimsPerSecond.toLocaleString('en')})`);

// The findings must not depend on how fast the rules are: a digest recorded for these claims (bench/rules-digest.json) is compared.
const digestFile = path.join(root, 'bench/rules-digest.json');
const recorded = JSON.parse(readFileSync(digestFile, 'utf8')) as Record<string, { none: string; national: string; rules: number }>;
const key = `seed ${seed} month ${values.month} scale ${values.scale}`;
const same = recorded[key] && recorded[key].none === digest.none && recorded[key].national === digest.national;
if (values['record-digest']) {
  recorded[key] = { ...digest, rules: catalogue.length };
  writeFileSync(digestFile, `${JSON.stringify(recorded, null, 2)}\n`);
  out(`  findings digest recorded in bench/rules-digest.json for ${key}`);
} else if (!recorded[key]) out(`  findings digest: none recorded for ${key} (--record-digest records it)`);
else out(`  findings digest: ${same ? 'identical to the one recorded' : 'DIFFERENT from the one recorded'} for ${key} (bench/rules-digest.json)`);
out(`goals: ${ratio <= GOAL.nationalRatio && oneCore >= GOAL.claimsPerSecond ? 'met' : 'NOT met'}`);

if (values['per-rule'] !== 'none') {
  // each rule alone, with the national lists, less a pass with no rule at all (the engine's loop and the view)
  const passes = Math.max(1, Number(values['per-rule-passes']));
  const alone = (rules: readonly AnyRule[]) => median(Array.from({ length: passes }, () => run(national, rules).cpu));
  // the empty pass is subtracted from every row: its median of more passes, so one noisy pass does not shift them all
  const empty = median(Array.from({ length: Math.max(7, passes) }, () => run(national, []).cpu));
  const rows = catalogue.map((rule) => ({ id: rule.id, us: ((alone([rule]) - empty) / inputs.length) * 1e6 }));
  const sum = rows.reduce((s, r) => s + r.us, 0);
  const all = usPerClaim(results.national);
  const top = values['per-rule'] === 'all' ? rows.length : Number(values['per-rule']);
  out(
    `  where a claim's ${all.toFixed(1)} µs go (CPU, with the national lists; each rule alone, less an empty pass (median of ${Math.max(7, passes)}); median of ${passes}; a rule alone also pays for the claim's shared facts it asks for, which the catalogue pays once):`,
  );
  out(`    ${'engine loop and reference view, no rule'.padEnd(40)} ${((empty / inputs.length) * 1e6).toFixed(1).padStart(7)}`);
  for (const r of rows.sort((a, b) => b.us - a.us).slice(0, top)) out(`    ${r.id.padEnd(40)} ${r.us.toFixed(1).padStart(7)}`);
  if (top < rows.length)
    out(
      `    ${`the other ${rows.length - top} rules`.padEnd(40)} ${rows
        .slice(top)
        .reduce((s, r) => s + r.us, 0)
        .toFixed(1)
        .padStart(7)}`,
    );
  out(`    ${'sum of the rules alone'.padEnd(40)} ${sum.toFixed(1).padStart(7)}`);
}
