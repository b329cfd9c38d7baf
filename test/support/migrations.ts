import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { migrationsFolder, type Row } from '../../src/db/client.js';
import { freshDatabaseUrl } from './database.js';

/**
 * The migrations up to and including `last` (a tag prefix such as `0010_`), as a folder of its own
 * the migrator reads: a database as it stood before the migrations after it. Remove it afterwards.
 */
export function migrationsUpTo(last: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cs-migrations-'));
  mkdirSync(path.join(dir, 'meta'));
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag.startsWith(last));
  if (cut < 0) throw new Error(`no migration ${last}`);
  journal.entries = journal.entries.slice(0, cut + 1);
  writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const f of readdirSync(migrationsFolder)) if (journal.entries.some((e) => f === `${e.tag}.sql`)) copyFileSync(path.join(migrationsFolder, f), path.join(dir, f));
  return dir;
}

export type Q = <T extends Row>(text: string, params?: unknown[]) => Promise<T[]>;

/**
 * A fresh database (PostgreSQL with DATABASE_URL, else in-memory PGlite) migrated up to and
 * including `last`: its query function, and the step that runs the migrations after it as the
 * service would (resolving to the migrator's error, if any). What it opens is closed by `cleanups`.
 */
export async function databaseAt(last: string, cleanups: (() => Promise<void> | void)[]): Promise<{ q: Q; migrateRest: () => Promise<Error | undefined> }> {
  const upTo = migrationsUpTo(last);
  cleanups.push(() => rmSync(upTo, { recursive: true, force: true }));
  const fresh = await freshDatabaseUrl({ empty: true });
  cleanups.push(fresh.drop);
  // the same steps on either engine: only the query function and the migrator differ
  let q: Q;
  let migrate: (folder: string) => Promise<unknown>;
  if (fresh.url) {
    const client = postgres(fresh.url, { max: 1, onnotice: () => {} });
    cleanups.push(() => client.end());
    q = async <T extends Row>(text: string, params: unknown[] = []) => [...(await client.unsafe(text, params as never[]))] as unknown as T[];
    migrate = (folder) => migratePostgres(drizzlePostgres(client), { migrationsFolder: folder });
  } else {
    const pg = await PGlite.create('memory://');
    cleanups.push(() => pg.close());
    q = async <T extends Row>(text: string, params: unknown[] = []) => (await pg.query<T>(text, params)).rows;
    migrate = (folder) => migratePglite(drizzlePglite(pg), { migrationsFolder: folder });
  }
  await migrate(upTo);
  const migrateRest = () =>
    migrate(migrationsFolder).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
  return { q, migrateRest };
}
