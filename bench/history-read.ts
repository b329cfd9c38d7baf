/**
 * `npx tsx bench/history-read.ts <database> [reads] [explain]`: the history read of the intake
 * benchmark's claims (bench/claims.ts) for persons of a preloaded database (bench/preload.ts,
 * whose settings it reads from the database named by PRELOADED, default h20_pre), one claim a
 * statement, on one connection: PostgreSQL CPU a read (from /proc of the backend), the claims and
 * lines of history found. With `explain`, auto_explain logs each statement's plan with ANALYZE and
 * BUFFERS to the server's log. Run it on the preloaded database and on an empty migrated one.
 */
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { buildClaimSchema } from '../src/claims/claim.schema.js';
import { normalizeClaim } from '../src/claims/normalize.js';
import { openDatabase } from '../src/db/client.js';
import { keyedHash } from '../src/lib/hash.js';
import { createHistoryRepository } from '../src/screening/history.repository.js';
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
const repo = createHistoryRepository({ database, windowDays: 30, maxBatch: 1 });
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
let found = 0;
let lines = 0;
for (let i = 0; i < 20; i++) await repo.forClaim(claimOf(i)); // warm
const c0 = cpu();
const t0 = performance.now();
for (let i = 20; i < 20 + Number(n); i++) {
  const h = await repo.forClaim(claimOf(i));
  found += h.history.personClaims.length;
  lines += h.history.personClaims.reduce((a, c) => a + c.lines.length, 0);
}
const ms = performance.now() - t0;
const c1 = cpu();
console.log(
  `${dbName}: ${n} history reads, ${(found / Number(n)).toFixed(2)} claims and ${(lines / Number(n)).toFixed(1)} lines of history a claim; backend CPU ${(((c1 - c0) / Number(n)) * 1000).toFixed(0)} µs a read, wall ${((ms / Number(n)) * 1000).toFixed(0)} µs`,
);
await database.close();
