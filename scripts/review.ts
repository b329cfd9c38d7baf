/**
 * Review-queue commands (with the embedded database, run them while the service is stopped; the
 * same are served by the API under /v1/review/…):
 *   npm run sample:close  -- --month YYYY-MM --by "<person>"   tops each institution-month up to the floor
 *   npm run sample:verify -- --month YYYY-MM                   re-derives the selection and compares
 *   npm run trail:verify                                       seals what is pending, then checks the trail's hash chain
 * Exit status 1 when a verification fails.
 */
import { parseArgs } from 'node:util';
import { resolvePersonIdSecret } from '../src/compose.js';
import { closeMonth, ratesPpm, sampleKey, verifyMonth } from '../src/review/sampling.js';
import { sealTrail, verifyTrail } from '../src/review/trail.js';
import { cliConfig, fail, openDatabaseOrExplain } from './cli.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { month: { type: 'string' }, by: { type: 'string' } } });
const command = positionals[0];
const config = cliConfig();
const out = (line: string) => process.stdout.write(`${line}\n`);
const month = () => {
  if (!values.month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) fail('--month YYYY-MM is required');
  return values.month;
};
if (!['sample-close', 'sample-verify', 'trail-verify'].includes(command ?? ''))
  fail('usage: review sample-close --month YYYY-MM --by <person> | review sample-verify --month YYYY-MM | review trail-verify');
const secret = config.DATABASE_URL ? (config.PERSON_ID_SECRET as string) : resolvePersonIdSecret(config);
const database = await openDatabaseOrExplain(config);
const key = sampleKey(config, secret);
const rates = ratesPpm(config);
let ok = true;
try {
  if (command === 'sample-close') {
    if (!values.by) fail('--by <the person closing the month> is required');
    const r = await closeMonth(database, key, rates, month(), values.by, { dueDays: config.REVIEW_SAMPLE_DUE_DAYS, slackDays: config.REVIEW_SAMPLE_SLACK_DAYS, now: Date.now });
    for (const g of r.groups) out(`${g.institutionId}\t${g.visitType}\tclaims ${g.claims}\trequired ${g.required}\tsampled ${g.sampled}\tadded ${g.added}`);
    out(`${r.month}: ${r.added} claims added to the sample across ${r.groups.length} institution-visit types; the re-check is due ${r.dueAt}`);
  } else if (command === 'sample-verify') {
    const r = await verifyMonth(database, key, rates, month());
    out('institution\tvisit type\tmode\trate\tclaims\trequired\tderived\tstored\tmatch');
    for (const g of r.groups)
      out(
        `${g.institutionId}\t${g.visitType}\t${g.mode}\t${g.ratePpm / 1e4}%\t${g.claims}\t${g.required}\t${g.derived}\t${g.sampled}\t${g.match ? 'yes' : `NO (missing ${g.missing.length}, unexpected ${g.unexpected.length})`}`,
      );
    out(r.match ? `${r.month}: the stored sample matches the selection re-derived from the claims and the key` : `${r.month}: MISMATCH`);
    ok = r.match;
  } else {
    const s = await sealTrail(database);
    out(`sealed ${s.sealed} pending entries`);
    const r = await verifyTrail(database);
    const pending = r.pending > 0 ? `; ${r.pending} entries committed since, not yet sealed` : '';
    out(
      r.ok
        ? `trail verified: ${r.entries} entries, head ${r.head}${pending}`
        : `trail BROKEN at entry ${r.brokenAt} (chain position ${r.position}): ${r.problem} (${r.entries} entries before it verified${pending})`,
    );
    ok = r.ok;
  }
} finally {
  await database.close();
}
process.exit(ok ? 0 : 1);
