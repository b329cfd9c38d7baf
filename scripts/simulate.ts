/**
 * `npm run simulate -- --seed 42 --month 2026-10 [--months 1] [--scale 1] [--clean] [--share 0.04]
 *   [--url http://127.0.0.1:8080 --key <admin key>] [--truth truth.ndjson] [--out claims.ndjson]`
 *
 * Builds the synthetic world of a seed (sim), loads its reference data through the API, streams
 * its claims through POST /v1/claims/stream and prints what came back against what was injected.
 * Without --url it only writes the files. The key (or CLAIMSCREEN_KEY) needs the admin role.
 */
import { parseArgs } from 'node:util';
import { simulate, type Simulation } from '../sim/simulation.js';
import { fail } from './cli.js';
import { runSimulation } from './sim/run.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    month: { type: 'string' },
    months: { type: 'string', default: '1' },
    scale: { type: 'string', default: '1' },
    share: { type: 'string' },
    'late-days': { type: 'string' },
    clean: { type: 'boolean', default: false },
    url: { type: 'string' },
    key: { type: 'string' },
    truth: { type: 'string' },
    out: { type: 'string' },
  },
});

if (!values.month) fail('--month yyyy-MM is required (the first simulated month, China Standard Time)');
const key = values.key ?? process.env.CLAIMSCREEN_KEY;
if (values.url && !key) fail('--key <admin key> (or CLAIMSCREEN_KEY) is required with --url');
if (!values.url && !values.out && !values.truth) fail('nothing to do: give --url to stream the claims, or --out/--truth to write them');

let sim: Simulation;
try {
  sim = simulate({
    seed: /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed,
    month: values.month,
    months: Number(values.months),
    scale: Number(values.scale),
    clean: values.clean,
    ...(values.share !== undefined ? { violationShare: Number(values.share) } : {}),
    ...(values['late-days'] !== undefined ? { lateMaxDays: Number(values['late-days']) } : {}),
  });
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}

if (values.url) sim = fitToToday(sim);

/** The service refuses instants in the future: late claims must be settled by today. */
function fitToToday(s: Simulation): Simulation {
  const daysSinceEnd = Math.floor((Date.now() - s.world.period.end) / 86_400_000) - 1;
  if (daysSinceEnd < 0) fail(`the simulated period ends ${new Date(s.world.period.end).toISOString().slice(0, 10)}, after today: the service refuses claims from the future`);
  if (s.options.lateMaxDays <= daysSinceEnd) return s;
  process.stderr.write(`late claims settle within ${daysSinceEnd} days (not ${s.options.lateMaxDays}) so that none is settled after today\n`);
  return simulate({ ...s.options, lateMaxDays: daysSinceEnd });
}

try {
  const { tally } = await runSimulation(sim, values.url ? { url: values.url, key: key as string } : undefined, { out: values.out, truth: values.truth });
  process.stdout.write(`${values.url ? tally.report() : `claims written     ${tally.answered.toLocaleString('en')} in ${tally.seconds().toFixed(1)} s`}\n`);
} catch (err) {
  fail(`simulate failed: ${err instanceof Error ? err.message : String(err)}`);
}
