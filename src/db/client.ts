import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Row = Record<string, unknown>;

/**
 * The database handle every repository receives. `query` runs one parameterised SQL text as a
 * prepared statement: the per-claim hot path uses it because drizzle's builder costs ~50 µs a
 * query (brief, measured); everything else uses `db`, drizzle's typed builder.
 */
export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  query<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]>;
  ping(): Promise<void>;
  stats(): { max: number; inFlight: number };
  close(): Promise<void>;
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
  poolMax: number;
  statementTimeoutMs: number;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) {
    await migratePostgresLocked(options.databaseUrl);
    return openPostgres(options.databaseUrl, options);
  }
  const database = await openPglite(options.pgliteDir);
  await migratePglite(database.db as never, { migrationsFolder });
  return database;
}

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

function openPostgres(url: string, options: OpenOptions): Database {
  const client = postgres(url, {
    max: options.poolMax,
    prepare: true,
    connect_timeout: 5,
    idle_timeout: 60,
    onnotice: () => {},
    connection: {
      statement_timeout: options.statementTimeoutMs,
      application_name: 'claimscreen',
    },
  });
  let inFlight = 0;
  const database: Database = {
    kind: 'postgres',
    db: drizzlePostgres(client, { schema }) as unknown as Db,
    async query<T extends Row>(text: string, params: unknown[] = []) {
      inFlight++;
      try {
        return (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[], {
          prepare: true,
        })) as unknown as T[];
      } finally {
        inFlight--;
      }
    },
    async ping() {
      await client`select 1`;
    },
    stats: () => ({ max: options.poolMax, inFlight }),
    close: () => client.end({ timeout: 5 }),
  };
  return database;
}

async function openPglite(dir: string): Promise<Database> {
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create(dir);
  let inFlight = 0;
  return {
    kind: 'pglite',
    db: drizzlePglite(pg, { schema }) as unknown as Db,
    async query<T extends Row>(text: string, params: unknown[] = []) {
      inFlight++;
      try {
        return (await pg.query<T>(text, params)).rows;
      } finally {
        inFlight--;
      }
    },
    async ping() {
      await pg.query('select 1');
    },
    stats: () => ({ max: 1, inFlight }),
    close: () => pg.close(),
  };
}
