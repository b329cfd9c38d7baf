import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { isDatabaseUnavailable } from './errors.js';
import { acquireOwnerLock, type Holder } from './owner-lock.js';
import * as schema from './schema.js';
import { noteStatement, statementLogging, type Engine } from './statement-log.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Row = Record<string, unknown>;
export type Query = <T extends Row = Row>(text: string, params?: unknown[]) => Promise<T[]>;

/**
 * The database handle every repository receives. `query` runs one parameterised SQL text as a
 * prepared statement, which is how the repositories query: their statements (CTEs, SKIP LOCKED,
 * jsonb_to_recordset) are plain in SQL, and drizzle's builder costs ~50 µs to build a query on the
 * per-claim path. `db`, drizzle's typed builder over the same connection, serves a few simple reads.
 */
export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  query<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]>;
  /** runs `fn` in one transaction on one connection: committed if it resolves, rolled back if it throws */
  transaction<R>(fn: (query: Query) => Promise<R>): Promise<R>;
  ping(): Promise<void>;
  stats(): { max: number; inFlight: number };
  close(): Promise<void>;
  /** the embedded database on disk: adds to what its lock file says about this owner (src/db/owner-lock.ts) */
  announce?(extra: Partial<Holder>): void;
}

/**
 * `migrations/` beside the nearest package.json above this file: the same folder whether this
 * module runs from source (src/db/) or compiled (dist/src/db/, as in the container image).
 */
export const migrationsFolder = findMigrationsFolder(path.dirname(fileURLToPath(import.meta.url)));

function findMigrationsFolder(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'migrations');
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}: cannot locate migrations/`);
  }
}

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` for a throwaway database (tests). */
  pgliteDir: string;
  /** a dumpDataDir file of a migrated database that a `memory://` PGlite starts from (tests: no initdb per database) */
  pgliteTemplate?: string | undefined;
  poolMax: number;
  statementTimeoutMs: number;
  /**
   * PostgreSQL only: the longest `query` (and `ping`) may take from being issued to its rows,
   * waiting for a connection included; past it the query is cancelled and fails with code
   * QUERY_DEADLINE (the request: 503). Without it a query issued while PostgreSQL is down waits
   * in the driver, reconnecting, until PostgreSQL is back. Default 4000.
   */
  queryDeadlineMs?: number;
  /** custom settings (`claimscreen.*`) of every session, e.g. the review sampling key its trigger reads */
  sessionSettings?: Record<string, string>;
}

/** Thrown by `query` past its deadline: the database is unavailable (503), not broken. */
export class QueryDeadlineError extends Error {
  readonly code = 'QUERY_DEADLINE';
  constructor(ms: number) {
    super(`the database did not answer within ${ms} ms`);
  }
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) {
    await migratePostgresLocked(options.databaseUrl);
    return logged(openPostgres(options.databaseUrl, options));
  }
  const database = logged(await openPglite(options.pgliteDir, options.pgliteTemplate));
  try {
    await migratePglite(database.db as never, { migrationsFolder });
    for (const [name, value] of Object.entries(options.sessionSettings ?? {})) await database.query('select set_config($1, $2, false)', [name, value]);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

/** With SQL_LOG set, each statement's text is noted (./statement-log.ts); otherwise the database as it is. */
function logged(database: Database): Database {
  if (!statementLogging) return database;
  const engine: Engine = database.kind;
  const note = (text: string) => noteStatement(engine, text);
  const { query, transaction } = database;
  return {
    ...database,
    query: (text, params) => (note(text), query(text, params)),
    transaction: (fn) => transaction((q) => fn((text, params) => (note(text), q(text, params)))),
  };
}

/** drizzle's builder reaches the driver through its own session: with SQL_LOG, its logger notes each statement */
const drizzleLogging = (engine: Engine) => (statementLogging ? { logger: { logQuery: (text: string) => noteStatement(engine, text, false) } } : {});

/** Several instances may start at once on one database: migrations run under an advisory lock. */
async function migratePostgresLocked(url: string): Promise<void> {
  // One connection, so the session-level lock and the migration share it.
  const client = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(7426101)`;
    await migratePostgres(drizzlePostgres(client), { migrationsFolder });
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** the longest a session of the service may sit inside a transaction doing nothing */
export const IDLE_IN_TRANSACTION_MS = 30_000;

function openPostgres(url: string, options: OpenOptions): Database {
  const client = postgres(url, {
    max: options.poolMax,
    prepare: true,
    connect_timeout: 5,
    idle_timeout: 60,
    // Seconds before a connection slot tries again after failing to connect. The driver's default
    // grows to 20 s after a few failures, so after an outage the pool came back up to 20 s after
    // PostgreSQL did; at most 0.5 s here (pool × 2 attempts a second is no load).
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
    onnotice: () => {},
    // Every session is set up for short transactional statements (docs/scaling.md, "Database
    // sessions"): no JIT, which PostgreSQL turns on by default for statements its planner thinks
    // dear and which spent 34 ms of a 616 ms history read compiling it; a
    // statement timeout; and no transaction left open idle for long, since an intake transaction
    // holds row locks on the institution's running totals until it ends. Prepared statements keep
    // one generic plan: the intake's two statements take a whole batch as one JSON parameter, so a
    // plan made for its value prunes and estimates nothing more, yet PostgreSQL's default planned
    // them anew whenever a generic plan costed more than the average of earlier custom plans made
    // while the tables were smaller (the history read was planned at 26-46 % of its executions,
    // planning costing as much as executing); PostgreSQL 15 still prunes month partitions at
    // executor start-up for a parameter such as a report's `service_month = $1`.
    connection: {
      statement_timeout: options.statementTimeoutMs,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
      jit: 'off',
      application_name: 'claimscreen',
      plan_cache_mode: 'force_generic_plan',
      ...options.sessionSettings,
    },
  });
  let inFlight = 0;
  const deadlineMs = options.queryDeadlineMs ?? 4000;
  // Once a query has failed because PostgreSQL cannot be reached (refused, reset, shutting down),
  // the next ones get a short deadline until one succeeds: during an outage requests fail within
  // ~0.5 s instead of each waiting the full deadline, and they still reach the driver, whose
  // reconnecting notices PostgreSQL's return. A query that is merely slow (its deadline or
  // statement_timeout passed) does not count: under heavy load that would shorten every deadline
  // and fail nearly all requests while PostgreSQL is up.
  let down = false;
  const guarded = async <T>(query: Promise<T>): Promise<T> => {
    try {
      const rows = await withDeadline(query, down ? Math.min(deadlineMs, 500) : deadlineMs);
      down = false;
      return rows;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code !== 'QUERY_DEADLINE' && code !== '57014' && isDatabaseUnavailable(err)) down = true;
      throw err;
    }
  };
  const database: Database = {
    kind: 'postgres',
    db: drizzlePostgres(client, { schema, ...drizzleLogging('postgres') }) as unknown as Db,
    async query<T extends Row>(text: string, params: unknown[] = []) {
      inFlight++;
      try {
        return (await guarded(client.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true }))) as unknown as T[];
      } finally {
        inFlight--;
      }
    },
    transaction<R>(fn: (query: Query) => Promise<R>) {
      return client.begin((tx) => {
        const query: Query = async <T extends Row>(text: string, params: unknown[] = []) => (await tx.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true })) as unknown as T[];
        return fn(query);
      }) as Promise<R>;
    },
    async ping() {
      await guarded(client`select 1`);
    },
    stats: () => ({ max: options.poolMax, inFlight }),
    close: () => client.end({ timeout: 5 }),
  };
  return database;
}

/**
 * The query's rows, or QueryDeadlineError after `ms`. A query the driver has not yet sent (no
 * `state`: it waits in the pool's queue, or as the first query of a connection still connecting)
 * becomes `select 1` before it goes, so it never runs later: a claim answered 503 is not written
 * behind the caller's back once PostgreSQL returns. It is not cancelled: postgres.js 3.4 leaves a
 * connection whose first query was cancelled while it connected connected and unused for good (it
 * returns a connection to the pool only when that query completes), and after an outage every
 * connection of the pool could end so, every request 503 until a restart (test/db-deadline.test.ts).
 * One already sent is left to finish or fail: postgres.js 3.4's cancel of a pipelined query hands
 * the next query's results to the wrong caller, and a lost answer is what idempotent resubmission
 * is for.
 */
function withDeadline<T>(query: Promise<T>, ms: number): Promise<T> {
  const caller = new Error('caller');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const q = query as { state?: unknown; strings?: unknown; args?: unknown };
      if (!q.state && Array.isArray(q.strings) && Array.isArray(q.args)) {
        q.strings = ['select 1'];
        q.args = [];
      }
      reject(Object.assign(new QueryDeadlineError(ms), { stack: caller.stack }));
    }, ms);
  });
  return Promise.race([query as Promise<T>, deadline]).finally(() => clearTimeout(timer));
}

/** On disk, one process owns the directory: a second one is refused at once (DataDirBusyError). */
async function openPglite(dir: string, template?: string): Promise<Database> {
  const onDisk = !dir.startsWith('memory://');
  if (onDisk) mkdirSync(dir, { recursive: true });
  const lock = onDisk ? await acquireOwnerLock(dir) : undefined;
  let pg: PGlite;
  try {
    // The migrations then find every one applied and do nothing.
    pg = await PGlite.create(dir, template && !onDisk ? { loadDataDir: new Blob([readFileSync(template)]) } : {});
  } catch (err) {
    lock?.release();
    throw err;
  }
  let inFlight = 0;
  return {
    kind: 'pglite',
    db: drizzlePglite(pg, { schema, ...drizzleLogging('pglite') }) as unknown as Db,
    async query<T extends Row>(text: string, params: unknown[] = []) {
      inFlight++;
      try {
        return (await pg.query<T>(text, params)).rows;
      } finally {
        inFlight--;
      }
    },
    transaction<R>(fn: (query: Query) => Promise<R>) {
      return pg.transaction((tx) => fn(async <T extends Row>(text: string, params: unknown[] = []) => (await tx.query<T>(text, params)).rows));
    },
    async ping() {
      await pg.query('select 1');
    },
    stats: () => ({ max: 1, inFlight }),
    async close() {
      try {
        await pg.close();
      } finally {
        lock?.release();
      }
    },
    ...(lock ? { announce: (extra: Partial<Holder>) => lock.announce(extra) } : {}),
  };
}
