import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { TestProject } from 'vitest/node';
import { migrationsFolder } from '../../src/db/client.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** the PGlite template file (PGLITE_TEMPLATE) of this run; undefined on PostgreSQL */
    pgliteTemplate: string | undefined;
  }
}

/**
 * Global setup: one migrated PGlite database, dumped to a file that every test's `memory://`
 * database is loaded from. PGlite's initdb and the migrations took 3-5 s per test file, more than
 * most files' tests; loading the dump takes about one.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  if (process.env.DATABASE_URL) {
    project.provide('pgliteTemplate', undefined);
    return () => {};
  }
  const file = path.join(os.tmpdir(), `claimscreen-pglite-template-${process.pid}-${project.name}.tar`);
  const pg = await PGlite.create('memory://');
  try {
    await migrate(drizzle(pg), { migrationsFolder });
    const dump = await pg.dumpDataDir('none');
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await pg.close();
  }
  project.provide('pgliteTemplate', file);
  return () => rmSync(file, { force: true });
}
