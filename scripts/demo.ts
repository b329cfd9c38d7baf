/**
 * `npm run demo`: the service on its embedded database (PGlite in DATA_DIR, ./data by default),
 * an admin demo key, the simulated reference data and 13 simulated months of claims ending last
 * month (seed 42), so that the monthly report has a trend, month on month and year on year; then
 * it prints the report's address and keeps serving until Ctrl-C. A second run reuses the data, the
 * key and, when the claims are already stored, skips the simulation.
 * Options: --month yyyy-MM (the last month simulated; default: last month), --months (default 13),
 * --scale (default 0.015: about 850 claims a month, some 11,000 in all, about a minute here on PGlite).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startService } from '../src/server.js';
import { periodOf, resolveOptions } from '../sim/options.js';
import { simulate, type Simulation } from '../sim/simulation.js';
import { cliConfig, fail } from './cli.js';
import { demoKey, freePort, lastMonth, readMarker, writeMarker } from './sim/demo-support.js';
import { runSimulation } from './sim/run.js';
import { shiftMonth } from '../src/report/period.js';

const { values } = parseArgs({ options: { month: { type: 'string' }, months: { type: 'string', default: '13' }, scale: { type: 'string', default: '0.015' } } });
const monthCount = Number(values.months);
if (!Number.isInteger(monthCount) || monthCount < 1 || monthCount > 36) fail('--months must be an integer from 1 to 36');
const config = cliConfig();
const port = await freePort(config.HOST, config.PORT);
const service = await startService({ ...config, PORT: port });
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

try {
  const key = await demoKey(service.deps.keys, config.DATA_DIR);
  const month = values.month ?? lastMonth(Date.now());
  // The simulation starts with its first month and runs `months` months, ending with `month`.
  const settings = { seed: 42, month: shiftMonth(month, 1 - monthCount), months: monthCount, scale: Number(values.scale) };
  const marker = readMarker(config.DATA_DIR);
  const sim = simulate({ ...settings, lateMaxDays: lateDaysToToday(month) });
  let example = marker?.example;
  const stored = marker && sameSettings(marker.settings, settings) && (await claimStored(service.url, key, marker.example.claim));
  if (stored) {
    process.stderr.write(`${settings.month} to ${month} already simulated and stored (${marker.claims} claims): not simulating again\n`);
  } else {
    const started = performance.now();
    const { total, tally } = await runSimulation(sim, { url: service.url, key });
    process.stdout.write(`${tally.report()}\n`);
    process.stdout.write(`demo data loaded: ${total.toLocaleString('en')} claims in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    example = pickExample(sim);
    writeMarker(config.DATA_DIR, { settings, claims: total, example: example as NonNullable<typeof example> });
  }
  const posted = path.resolve(config.DATA_DIR, 'demo-claim.json');
  if (example) writeFileSync(posted, `${JSON.stringify({ ...example.claim, claimId: `${example.claim.claimId}-DEMO` }, null, 2)}\n`);
  const ref = example?.claim;
  process.stdout.write(
    [
      '',
      `claimscreen is running at ${service.url}  (API docs: ${service.url}/docs)`,
      `demo key (role admin): ${key}`,
      '',
      'try:',
      `  curl -s ${service.url}/healthz`,
      ref ? `  curl -s -H "authorization: Bearer ${key}" ${service.url}/v1/claims/${ref.institutionId}/${ref.claimId}` : '',
      `  curl -s -H "authorization: Bearer ${key}" -H "content-type: application/json" --data @${posted} ${service.url}/v1/claims`,
      ref && example
        ? `  (the last one sends claim ${ref.claimId} again under a new id, so expect the resubmission findings besides what was injected: ${example.truth.map((t) => `${t.family}/${t.variant} on line(s) ${t.lines.join(', ')}`).join('; ')})`
        : '',
      '',
      `the monthly provider risk report of ${month} (Chinese; add &lang=en for English):`,
      `  ${service.url}/v1/reports/${month}?format=html`,
      `  curl -s -H "authorization: Bearer ${key}" "${service.url}/v1/reports/${month}?format=html" -o provider-risk-${month}.html`,
      `  curl -s -H "authorization: Bearer ${key}" "${service.url}/v1/reports/${month}?format=pdf" -o provider-risk-${month}.pdf   (A4 landscape, by the system's Chromium)`,
      `  CLAIMSCREEN_KEY=${key} npm run report -- --month ${month} --url ${service.url}   (every form into ./reports, while this service runs)`,
      '',
      'Ctrl-C stops the service.',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n') + '\n',
  );
} catch (err) {
  await service.stop();
  fail(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
}

function pickExample(s: Simulation) {
  let first;
  for (const item of s.claims()) {
    first ??= item;
    if (item.truth.some((t) => t.variant === 'above-ceiling')) return item;
  }
  return first;
}

/** late claims of the month must be settled by today: the service refuses instants in the future */
function lateDaysToToday(month: string): number {
  const next = periodOf(resolveOptions({ seed: 0, month })).end;
  const days = Math.floor((Date.now() - next) / 86_400_000) - 1;
  if (days < 0) fail(`month ${month} is not over yet: the service refuses claims from the future`);
  return Math.min(20, days);
}

async function claimStored(url: string, key: string, ref: { institutionId: string; claimId: string }) {
  const res = await fetch(`${url}/v1/claims/${ref.institutionId}/${ref.claimId}`, { headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  return res.status === 200;
}

function sameSettings(a: object, b: object) {
  return JSON.stringify(a) === JSON.stringify(b);
}
