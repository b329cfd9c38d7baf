import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrationsFolder } from '../../src/db/client.js';

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
