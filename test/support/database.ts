import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import postgres from 'postgres';
import { inject } from 'vitest';

/**
 * One suite, two databases: with DATABASE_URL set, each test file gets a fresh database on that
 * server (created here, dropped afterwards); without it, a fresh in-memory PGlite. Both have the
 * real migrations: on PostgreSQL the database is a copy of the run's migrated template
 * (test/support/database-template.ts); `empty` gives a database with no migrations instead, for
 * the tests that migrate step by step themselves.
 */
export async function freshDatabaseUrl({ empty = false }: { empty?: boolean } = {}): Promise<{ url: string | undefined; drop: () => Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) return { url: undefined, drop: async () => {} };
  const name = `cs_test_${randomBytes(6).toString('hex')}`;
  const template = empty ? undefined : inject('postgresTemplate');
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(template ? `create database ${name} template ${template}` : `create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export const onPostgres = () => Boolean(process.env.DATABASE_URL);

/**
 * On PGlite, an embedded database on disk (DATA_DIR's `pglite/`) that is the run's migrated
 * template, for the tests whose service or commands open one there: initdb and the migrations cost
 * ~12 CPU-seconds per directory (in the first process to open it). The template is a tar of a data
 * directory (PGlite's dumpDataDir), so it is unpacked there as it is (0.01 CPU-s; loading it
 * through PGlite and closing it cost 1.4); the processes then open it and find every migration
 * applied. Nothing on PostgreSQL.
 */
export async function seedPgliteDir(pgliteDir: string): Promise<void> {
  const template = inject('pgliteTemplate');
  if (process.env.DATABASE_URL || !template) return;
  mkdirSync(pgliteDir, { recursive: true });
  // the members' names start with '/': GNU tar strips it, and says so on stderr
  execFileSync('tar', ['-xf', template, '-C', pgliteDir], { stdio: ['ignore', 'ignore', 'pipe'] });
}
