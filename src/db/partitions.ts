import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { Logger } from 'pino';
import { createPeriodic } from '../lib/periodic.js';
import type { Database, Query } from './client.js';

/**
 * Monthly partitions of claims and what hangs off them (migration 0032, docs/operations.md
 * "Monthly partitions and retention"): the months created ahead, a month found in the default
 * partition given its own, and the retention commands (detach, archive to files, attach for an
 * audit, drop after 15 years). The work is done by the migration's SQL functions, under one
 * advisory lock, so two nodes (or a node and the command) never race.
 */

export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** nothing is deleted before this many years: the SQL function claimscreen_drop_month holds it too */
export const MIN_RETENTION_YEARS = 15;

const cstMonth = (epochMs: number) => new Date(epochMs + 8 * 3_600_000).toISOString().slice(0, 7);

export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + by;
  return `${String(Math.floor(total / 12)).padStart(4, '0')}-${String((total % 12) + 1).padStart(2, '0')}`;
}

/** Thrown for a month argument that is not YYYY-MM. */
export class MonthError extends Error {}

function month(value: string): string {
  if (!MONTH.test(value)) throw new MonthError(`month must be YYYY-MM, got ${JSON.stringify(value)}`);
  return value;
}

/** the month tables, parent first (month_partitioned_tables) */
export async function monthTables(database: Database): Promise<string[]> {
  return (await database.query<{ table_name: string }>('select table_name from month_partitioned_tables order by position')).map((r) => r.table_name);
}

/**
 * Claims of one month in the default partition that the service moves into the month's own
 * partitions by itself; a month with more (a bulk load of old months) is left to
 * `npm run partitions -- ensure`, which has no statement timeout: the move holds the default
 * partitions for as long as it copies.
 */
export const SPLIT_MAX_CLAIMS = 10_000;

/** 'exists' | 'archived' | 'created' | 'split' */
export async function ensureMonth(database: Database, m: string, actor = 'service', opts: { unbounded?: boolean } = {}): Promise<string> {
  return database.transaction(async (q) => {
    // a month is created rarely; it waits for the intake's transactions on the default partition,
    // and gives up (tried again at the next interval) rather than queue the intake behind it
    await q(`select set_config('lock_timeout', '5s', true)`);
    if (opts.unbounded) await q(`select set_config('statement_timeout', '0', true)`);
    const [row] = await q<{ r: string }>('select claimscreen_month_partition($1, $2) as r', [month(m), actor]);
    return row!.r;
  });
}

/** months before the current one that are kept with partitions: claims arrive up to a few months late */
export const BEHIND = 3;

/**
 * The BEHIND months before this one, this month and `ahead` months after it (China Standard
 * Time), and every month that has rows in
 * the default partition (a claim for a month without its own partition, e.g. far in the past):
 * each gets its own partitions. Returns what was done to each month that changed.
 */
export async function ensureMonths(
  database: Database,
  now: number,
  ahead: number,
  actor = 'service',
  opts: { unbounded?: boolean; splitMax?: number; onTooLarge?: (month: string, claims: number) => void } = {},
): Promise<Record<string, string>> {
  const current = cstMonth(now);
  const months = Array.from({ length: BEHIND + ahead + 1 }, (_, k) => shiftMonth(current, k - BEHIND));
  const stray = await database.query<{ m: string; n: number }>(
    `select service_month as m, count(*)::int as n from claims_default where service_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$' group by 1 order by 1`,
  );
  const strayMonths: string[] = [];
  for (const r of stray) {
    if (opts.unbounded || r.n <= (opts.splitMax ?? SPLIT_MAX_CLAIMS)) strayMonths.push(r.m);
    else opts.onTooLarge?.(r.m, r.n);
  }
  const done: Record<string, string> = {};
  for (const m of [...new Set([...months, ...strayMonths])]) {
    const r = await ensureMonth(database, m, actor, opts);
    if (r === 'created' || r === 'split') done[m] = r;
  }
  return done;
}

export interface MonthState {
  month: string;
  /** live: attached and written; audit: attached again read-only; detached: in the archive schema */
  state: 'live' | 'audit' | 'detached';
  claims: number;
  archived: { at: string; dir: string } | null;
}

/** Every month with partitions, and the rows of months (if any) in the default partition. */
export async function listMonths(database: Database): Promise<{ months: MonthState[]; defaultMonths: { month: string; claims: number }[] }> {
  const rows = await database.query<{ month: string; schema: string; audit: boolean }>(
    `select replace(substr(c.relname, 8), '_', '-') as month, n.nspname as schema,
            exists (select 1 from pg_trigger g where g.tgrelid = c.oid and g.tgname = 'archive_read_only') as audit
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'r' and c.relname ~ '^claims_[0-9]{4}_[0-9]{2}$'
       and (n.nspname = 'archive' or exists (select 1 from pg_inherits h where h.inhrelid = c.oid and h.inhparent = 'claims'::regclass))
     order by 1`,
  );
  const archived = new Map(
    (
      await database.query<{ month: string; at: string; dir: string }>(
        `select distinct on (month) month, at::text as at, detail->>'dir' as dir from partition_events where action = 'archived' order by month, id desc`,
      )
    ).map((r) => [r.month, { at: r.at, dir: r.dir }]),
  );
  const months: MonthState[] = [];
  for (const r of rows) {
    const table = `${r.schema === 'archive' ? 'archive.' : ''}claims_${r.month.replace('-', '_')}`;
    const [count] = await database.query<{ n: number }>(`select count(*)::int as n from ${table}`);
    months.push({ month: r.month, state: r.schema === 'archive' ? 'detached' : r.audit ? 'audit' : 'live', claims: count!.n, archived: archived.get(r.month) ?? null });
  }
  const defaultMonths = await database.query<{ month: string; claims: number }>(`select service_month as month, count(*)::int as claims from claims_default group by 1 order by 1`);
  return { months, defaultMonths };
}

export async function detachMonth(database: Database, m: string, hotMonths: number, actor: string): Promise<Record<string, number>> {
  const [row] = await database.query<{ r: Record<string, number> }>('select claimscreen_detach_month($1, $2, $3) as r', [month(m), hotMonths, actor]);
  return row!.r;
}

export async function attachMonth(database: Database, m: string, actor: string): Promise<void> {
  await database.query('select claimscreen_attach_month($1, $2)', [month(m), actor]);
}

export async function dropMonth(database: Database, m: string, actor: string): Promise<void> {
  await database.query('select claimscreen_drop_month($1, $2)', [month(m), actor]);
}

export interface ArchiveManifest {
  month: string;
  archivedAt: string;
  tables: Record<string, { file: string; rows: number; sha256: string }>;
}

/**
 * Writes a detached month's tables to `<dir>/<month>/<table>.ndjson` (one row a line, its JSON as
 * PostgreSQL renders it, in primary-key order), with `manifest.json` holding each file's rows and
 * SHA-256; reads each file back to check its hash, then records an 'archived' event with the
 * manifest. The tables stay in the database: archiving deletes nothing.
 */
export async function archiveMonth(database: Database, m: string, dir: string, actor: string): Promise<ArchiveManifest> {
  month(m);
  const tables = await monthTables(database);
  const sfx = m.replace('-', '_');
  const [detached] = await database.query<{ t: string | null }>(`select to_regclass($1)::text as t`, [`archive.${tables[0]}_${sfx}`]);
  if (!detached?.t) throw new MonthError(`month ${m} is not detached: detach it before archiving`);
  const out = path.join(dir, m);
  mkdirSync(out, { recursive: true });
  const manifest: ArchiveManifest = { month: m, archivedAt: new Date().toISOString(), tables: {} };
  for (const table of tables) {
    const part = `${table}_${sfx}`;
    const file = `${table}.ndjson`;
    const target = path.join(out, file);
    const partial = `${target}.partial`;
    const hash = createHash('sha256');
    const stream = createWriteStream(partial);
    let rows = 0;
    await database.transaction(async (q: Query) => {
      const [pk] = await q<{ cols: string }>(
        `select string_agg(quote_ident(a.attname), ', ' order by k.n) as cols
         from pg_index i cross join unnest(i.indkey) with ordinality k(attnum, n) join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
         where i.indrelid = $1::regclass and i.indisprimary`,
        [`archive.${part}`],
      );
      await q(`declare archive_rows no scroll cursor for select to_jsonb(t)::text as j from archive.${quoteIdent(part)} t order by ${pk?.cols ?? '1'}`);
      for (;;) {
        const batch = await q<{ j: string }>('fetch 2000 from archive_rows');
        if (batch.length === 0) break;
        const chunk = batch.map((r) => r.j).join('\n') + '\n';
        hash.update(chunk);
        rows += batch.length;
        if (!stream.write(chunk)) await once(stream, 'drain');
      }
      await q('close archive_rows');
    });
    stream.end();
    await once(stream, 'finish');
    const sha256 = hash.digest('hex');
    renameSync(partial, target);
    if ((await sha256Of(target)) !== sha256) throw new Error(`${target}: the file read back does not match the rows written`);
    manifest.tables[table] = { file, rows, sha256 };
  }
  writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await database.query(`insert into partition_events (month, action, detail, actor) values ($1, 'archived', $2::jsonb, $3)`, [m, JSON.stringify({ dir: out, ...manifest }), actor]);
  return manifest;
}

/** the SHA-256 of a file, read whole */
export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The service's part: the months ahead created at start (awaited, before the first claim) and
 * then every `intervalMs` (0: only at start).
 */
export function createPartitionKeeper(opts: { database: Database; logger: Logger; aheadMonths: number; intervalMs: number; now: () => number }) {
  const { database, logger, intervalMs } = opts;
  const run = async () => {
    const done = await ensureMonths(database, opts.now(), opts.aheadMonths, 'service', {
      onTooLarge: (month, claims) => logger.warn({ month, claims }, 'a month with many claims in the default partition: run `npm run partitions -- ensure` to give it its own partitions'),
    });
    if (Object.keys(done).length > 0) logger.info({ months: done }, 'monthly partitions created');
    return done;
  };
  const failed = (err: unknown) => logger.warn({ err }, 'creating monthly partitions failed; tried again at the next interval');
  const periodic = createPeriodic({ run, intervalMs, onError: failed });
  return {
    run,
    /** a failure at start is logged, not fatal: a claim of a month without partitions goes to the default partition */
    async start() {
      await run().catch(failed);
      periodic.start();
    },
    stop: periodic.stop,
  };
}
export type PartitionKeeper = ReturnType<typeof createPartitionKeeper>;
