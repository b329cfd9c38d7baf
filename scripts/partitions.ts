/**
 * Monthly partitions and retention (docs/operations.md "Monthly partitions and retention"; with
 * the embedded database, run them while the service is stopped):
 *   npm run partitions -- list                                   every month: live, audit or detached, its claims, whether archived
 *   npm run partitions -- ensure                                 this month and PARTITION_AHEAD_MONTHS ahead; months found in the default partition
 *   npm run partitions -- detach  --month YYYY-MM --by <person>  out of the live tables into the archive schema, read-only (older than RETENTION_HOT_MONTHS)
 *   npm run partitions -- archive --month YYYY-MM --by <person>  a detached month's rows to ARCHIVE_DIR/YYYY-MM/*.ndjson with SHA-256 in manifest.json
 *   npm run partitions -- attach  --month YYYY-MM --by <person>  a detached month back into the live tables, read-only, for an audit (detach takes it back)
 *   npm run partitions -- drop    --month YYYY-MM --by <person>  a detached, archived month's tables removed: only a month more than 15 years old
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { archiveMonth, attachMonth, detachMonth, dropMonth, ensureMonths, listMonths, MONTH } from '../src/db/partitions.js';
import { cliConfig, fail, openDatabaseOrExplain } from './cli.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { month: { type: 'string' }, by: { type: 'string' } } });
const command = positionals[0] ?? '';
const USAGE = 'usage: partitions list | ensure | detach|archive|attach|drop --month YYYY-MM --by <person>';
if (!['list', 'ensure', 'detach', 'archive', 'attach', 'drop'].includes(command)) fail(USAGE);
const config = cliConfig();
const out = (line: string) => process.stdout.write(`${line}\n`);
const month = () => {
  if (!values.month || !MONTH.test(values.month)) fail('--month YYYY-MM is required');
  return values.month;
};
const by = () => values.by?.trim() || fail('--by <the person doing it> is required');
const archiveDir = () => {
  if (config.ARCHIVE_DIR) return config.ARCHIVE_DIR;
  if (config.DATA_DIR.startsWith('memory://')) fail('ARCHIVE_DIR is required when DATA_DIR is memory://');
  return path.join(config.DATA_DIR, 'archive');
};

const database = await openDatabaseOrExplain(config);
let status = 0;
try {
  if (command === 'list') {
    const { months, defaultMonths } = await listMonths(database);
    out('month\tstate\tclaims\tarchived');
    for (const m of months) out(`${m.month}\t${m.state}\t${m.claims}\t${m.archived ? `${m.archived.at} ${m.archived.dir}` : '-'}`);
    for (const d of defaultMonths) out(`${d.month}\tin the default partition\t${d.claims}\t-`);
  } else if (command === 'ensure') {
    const done = await ensureMonths(database, Date.now(), config.PARTITION_AHEAD_MONTHS, 'partitions ensure', { unbounded: true });
    const entries = Object.entries(done);
    out(entries.length === 0 ? 'every month has its partitions' : entries.map(([m, r]) => `${m}: ${r}`).join('\n'));
  } else if (command === 'detach') {
    const rows = await detachMonth(database, month(), config.RETENTION_HOT_MONTHS, by());
    out(
      `${values.month} detached into the archive schema (read-only): ${Object.entries(rows)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')}`,
    );
  } else if (command === 'archive') {
    const manifest = await archiveMonth(database, month(), archiveDir(), by());
    for (const [t, f] of Object.entries(manifest.tables)) out(`${t}\t${f.rows} rows\t${f.file}\tsha256 ${f.sha256}`);
    out(`${manifest.month} archived to ${path.join(archiveDir(), manifest.month)}; the tables stay in the archive schema`);
  } else if (command === 'attach') {
    await attachMonth(database, month(), by());
    out(`${values.month} attached again, read-only: the service reads it; detach it again after the audit`);
  } else {
    await dropMonth(database, month(), by());
    out(`${values.month}: the detached tables were dropped; its archive files remain`);
  }
} catch (err) {
  const e = err as { message?: string; code?: string };
  process.stderr.write(`${e.message ?? String(err)}\n`);
  status = 1;
} finally {
  await database.close();
}
process.exit(status);
