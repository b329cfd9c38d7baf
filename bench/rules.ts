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
 * Flags: --seed <n> (42) --month <yyyy-MM> (2026-10) --scale <x> (0.25: ~15,000 claims)
 *        --rounds <n> (5) --national <dir> (../shared/data/nhsa-two-libraries)
 *        --per-rule (also the CPU time of each rule alone, with the national lists)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { catalogue } from '../rules/catalogue.js';
import { evaluateRules } from '../rules/engine.js';
import { snapshotView } from '../src/screening/reference-cache.js';
import { simulate } from '../sim/simulation.js';
import { buildReference, InProcessScreening, type Prepared } from './in-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    month: { type: 'string', default: '2026-10' },
    scale: { type: 'string', default: '0.25' },
    rounds: { type: 'string', default: '5' },
    national: { type: 'string', default: path.resolve(root, '../shared/data/nhsa-two-libraries') },
    'per-rule': { type: 'boolean', default: false },
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

function run(ref: typeof plain) {
  let findings = 0;
  let errors = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const i of inputs) {
    const r = evaluateRules(catalogue, {
      claim: i.claim,
      history: i.history,
      reference: snapshotView(ref.snapshot, i.stock, { personHash: i.claim.personHash, versions: ref.persons.get(i.claim.personHash) ?? [] }),
      serviceDate: i.serviceDate,
    });
    findings += r.findings.length;
    errors += r.errors.length;
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6, findings, errors };
}

const rounds = Number(values.rounds);
const results = { none: [] as ReturnType<typeof run>[], national: [] as ReturnType<typeof run>[] };
run(plain); // warm-up: JIT and caches
run(national);
for (let r = 0; r < rounds; r++) {
  results.none.push(run(plain));
  results.national.push(run(national));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const perSecond = (rs: ReturnType<typeof run>[], key: 'wall' | 'cpu') => inputs.length / median(rs.map((r) => r[key]));
const usPerClaim = (rs: ReturnType<typeof run>[]) => (median(rs.map((r) => r.cpu)) / inputs.length) * 1e6;

out(`rule evaluation in process: ${catalogue.length} rules, ${inputs.length.toLocaleString('en')} claims of seed ${seed} ${values.month} (scale ${values.scale}), ${rounds} rounds each, medians`);
out('  reference                      claims/s (wall)  claims/s (CPU)  µs/claim (CPU)  findings  errors');
for (const [name, rs] of [
  ['catalogue only', results.none],
  [`+ national lists (${national.nationalEntries.toLocaleString('en')})`, results.national],
] as const) {
  out(
    `  ${name.padEnd(30)} ${Math.round(perSecond(rs, 'wall')).toLocaleString('en').padStart(15)} ${Math.round(perSecond(rs, 'cpu')).toLocaleString('en').padStart(15)} ${usPerClaim(rs).toFixed(1).padStart(15)} ${String(rs[0]?.findings).padStart(9)} ${String(rs[0]?.errors).padStart(7)}`,
  );
}
const ratio = usPerClaim(results.national) / usPerClaim(results.none);
const oneCore = perSecond(results.national, 'cpu');
out(`  cost with national lists / without: ${ratio.toFixed(2)}× (goal ≤ ${GOAL.nationalRatio}×)`);
out(`  claims/s on one core (CPU time), all lists loaded: ${Math.round(oneCore).toLocaleString('en')} (goal ≥ ${GOAL.claimsPerSecond.toLocaleString('en')})`);
out(`goals: ${ratio <= GOAL.nationalRatio && oneCore >= GOAL.claimsPerSecond ? 'met' : 'NOT met'}`);

if (values['per-rule']) {
  out('  per rule, with the national lists (CPU µs per claim, one pass each):');
  const rows = catalogue.map((rule) => {
    const cpu0 = process.cpuUsage();
    for (const i of inputs)
      evaluateRules([rule], {
        claim: i.claim,
        history: i.history,
        reference: snapshotView(national.snapshot, i.stock, { personHash: i.claim.personHash, versions: national.persons.get(i.claim.personHash) ?? [] }),
        serviceDate: i.serviceDate,
      });
    const cpu = process.cpuUsage(cpu0);
    return { id: rule.id, us: (cpu.user + cpu.system) / inputs.length };
  });
  for (const r of rows.sort((a, b) => b.us - a.us)) out(`    ${r.id.padEnd(28)} ${r.us.toFixed(1).padStart(7)}`);
}
