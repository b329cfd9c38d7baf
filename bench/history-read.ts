/**
 * `npx tsx bench/history-read.ts <database> [reads] [explain]`: the history read of the intake
 * benchmark's claims (bench/claims.ts) for persons of a preloaded database (bench/preload.ts,
 * whose settings it reads from the database named by PRELOADED, default h20_pre), one claim a
 * statement, on one connection, with the window parts the service would ask for (the benchmark's
 * hospitals have 800 beds, no doctor is registered, the rules' default parameters): PostgreSQL CPU
 * a read (from /proc of the backend), the claims and lines of history found, the short stays of the
 * institution window read. Twice: every claim, then only the claims whose window reads the week's
 * short stays (ADMISSION-CLUSTER: a stay of at most three days with an outpatient-treatable main
 * diagnosis, one in twelve of the benchmark's claims). With `explain`, auto_explain logs each
 * statement's plan with ANALYZE and BUFFERS to the server's log. Run it on the preloaded database
 * and on an empty migrated one.
 */
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { buildClaimSchema } from '../src/claims/claim.schema.js';
import { normalizeClaim } from '../src/claims/normalize.js';
import { openDatabase } from '../src/db/client.js';
import { keyedHash } from '../src/lib/hash.js';
import { cstDate } from '../src/lib/time.js';
import { createHistoryRepository } from '../src/screening/history.repository.js';
import { windowNeeds } from '../rules/institution/needs.js';
import type { ReferenceView } from '../rules/reference.js';
import { claimTemplates, fillClaim } from './claims.js';
import { preloadPersonId, preloadSettings } from './preload.js';

const [dbName, n = '400', explain = ''] = process.argv.slice(2);
const server = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const at = (name: string) => {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
};
if (!dbName) throw new Error('usage: bench/history-read.ts <database> [reads] [explain]');
const url = at(dbName);
const pre = postgres(at(process.env.PRELOADED ?? 'h20_pre'), { max: 1 });
const settings = await preloadSettings(pre);
if (!settings) throw new Error('no preloaded database: set PRELOADED');
await pre.end();
const schema = buildClaimSchema({ maxLines: 1000 });
const templates = claimTemplates(1000);
const database = await openDatabase({ databaseUrl: url, pgliteDir: 'memory://', poolMax: 1, statementTimeoutMs: 60000 });
// the benchmark's hospitals have 800 beds (bench/claims.ts) and no doctor is registered
const reference = { doctor: () => undefined, institution: () => ({ beds: 800 }) } as unknown as ReferenceView;
const repo = createHistoryRepository({ database, windowDays: 30, maxBatch: 1, windowNeeds: (c) => windowNeeds(c, reference, () => undefined) });
const [backend] = await database.query<{ pid: number }>('select pg_backend_pid() as pid');
const pid = backend?.pid ?? 0;
const cpu = () => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
const offset = Math.floor(Math.random() * settings.persons);
const claimOf = (i: number) => {
  const input = schema.parse(JSON.parse(fillClaim(templates[i % 1000]!, `H-${offset}-${i}`, preloadPersonId(1 + ((offset + i) % settings.persons)))));
  return normalizeClaim(input as never, keyedHash(settings.secret, (input as { insured: { id: string } }).insured.id));
};
if (explain) {
  await database.query("load 'auto_explain'");
  await database.query('set auto_explain.log_min_duration = 0');
  await database.query('set auto_explain.log_analyze = on');
  await database.query('set auto_explain.log_buffers = on');
  await database.query('set auto_explain.log_nested_statements = on');
}
for (let i = 0; i < 20; i++) await repo.forClaim(claimOf(i)); // warm
// as the repository's window bounds: a stay of at most three calendar days whose rules ask for the week's short stays
const shortStay = (i: number) => {
  const c = claimOf(i);
  return windowNeeds(c, reference, () => undefined).admissions && Date.parse(cstDate(c.endedAt)) - Date.parse(cstDate(c.startedAt)) <= 3 * 86_400_000;
};
for (const [what, pick] of [
  ['every claim', () => true],
  ['short stays read', shortStay],
] as const) {
  let found = 0;
  let lines = 0;
  let admissions = 0;
  let reads = 0;
  let cpuMs = 0;
  let wallMs = 0;
  for (let i = 20; reads < Number(n); i++) {
    if (!pick(i)) continue;
    const claim = claimOf(i);
    const c0 = cpu();
    const t0 = performance.now();
    const h = await repo.forClaim(claim);
    wallMs += performance.now() - t0;
    cpuMs += cpu() - c0;
    reads++;
    found += h.history.personClaims.length;
    lines += h.history.personClaims.reduce((a, c) => a + c.lines.length, 0);
    admissions += h.history.institution?.admissions.length ?? 0;
  }
  console.log(
    `${dbName}, ${what}: ${reads} history reads, ${(found / reads).toFixed(2)} claims and ${(lines / reads).toFixed(1)} lines of history a claim, ${(admissions / reads).toFixed(1)} short stays of the window; ` +
      `backend CPU ${((cpuMs / reads) * 1000).toFixed(0)} µs a read (/proc, 10 ms ticks), wall ${((wallMs / reads) * 1000).toFixed(0)} µs`,
  );
}
await database.close();
