import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { migrationsFolder } from '../../src/db/client.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** the PGlite template file (PGLITE_TEMPLATE) of this run; undefined on PostgreSQL */
    pgliteTemplate: string | undefined;
    /** the migrated database on the server of DATABASE_URL that test databases are copied from; undefined on PGlite */
    postgresTemplate: string | undefined;
  }
}

/**
 * Global setup: one migrated database per run that every test file's database starts from, so
 * the migrations run once per run, not once per file. On PGlite, a dump to a file that each
 * `memory://` database is loaded from (initdb and the migrations took 3-5 s per file; loading the
 * dump about one). On PostgreSQL, a database that `CREATE DATABASE … TEMPLATE` copies (0.8-1.4 s
 * to create and migrate a database on CI's cluster, 0.5-0.8 s to copy one).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const base = process.env.DATABASE_URL;
  if (base) {
    project.provide('pgliteTemplate', undefined);
    const name = `cs_template_${randomBytes(6).toString('hex')}`;
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    const drop = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
    try {
      await admin.unsafe(`create database ${name}`);
      const url = new URL(base);
      url.pathname = `/${name}`;
      const client = postgres(url.toString(), { max: 1, onnotice: () => {} });
      try {
        await migratePostgres(drizzlePostgres(client), { migrationsFolder });
      } finally {
        // no session may stay on a template: CREATE DATABASE refuses to copy one that has any
        await client.end();
      }
    } catch (err) {
      await drop();
      throw err;
    }
    project.provide('postgresTemplate', name);
    return drop;
  }
  project.provide('postgresTemplate', undefined);
  const file = path.join(os.tmpdir(), `claimscreen-pglite-template-${process.pid}-${project.name}.tar`);
  const pg = await PGlite.create('memory://');
  try {
    await migratePglite(drizzlePglite(pg), { migrationsFolder });
    const dump = await pg.dumpDataDir('none');
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await pg.close();
  }
  project.provide('pgliteTemplate', file);
  return async () => rmSync(file, { force: true });
}
