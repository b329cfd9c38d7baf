/**
 * `npm run sql-coverage -- <SQL_LOG file>`: did the embedded engine (PGlite) run every SQL
 * statement the tests ran on PostgreSQL? CI runs the integration tier on both engines and the
 * once and slow tiers on PostgreSQL only; this is what keeps that split honest: a statement
 * reached only by a once or slow file (or only on PostgreSQL) fails CI with the files that ran it,
 * until a file of the integration tier runs it too. Prints the counts; exit 1 on a gap.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TEST_MARK } from '../src/db/statement-log.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: npm run sql-coverage -- <file written with SQL_LOG=<file>>');
  process.exit(2);
}

interface Line {
  engine: 'pglite' | 'postgres';
  label: string;
  statements: string[];
}
const lines = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Line);

const embedded = new Set<string>();
const server = new Map<string, Set<string>>();
for (const { engine, label, statements } of lines) {
  // a test's own statements (its set-up and checks) run wherever that test runs
  for (const s of statements.filter((t) => !t.startsWith(TEST_MARK))) {
    if (engine === 'pglite') embedded.add(s);
    else {
      const by = server.get(s) ?? new Set<string>();
      by.add(path.relative(process.cwd(), label) || label);
      server.set(s, by);
    }
  }
}

const missing = [...server].filter(([s]) => !embedded.has(s));
console.log(`SQL statements: ${server.size} distinct on PostgreSQL, ${embedded.size} on PGlite; ${server.size - missing.length} of PostgreSQL's also ran on PGlite`);
if (server.size === 0 || embedded.size === 0) {
  console.error('a log without both engines: run the tests with SQL_LOG set on PGlite and on PostgreSQL first');
  process.exit(1);
}
if (missing.length > 0) {
  console.error(`\n${missing.length} statement(s) ran on PostgreSQL and never on PGlite; move a file that runs each into the integration tier (vitest.config.ts):`);
  for (const [s, by] of missing) console.error(`\n- ${s.length > 240 ? `${s.slice(0, 240)}…` : s}\n  ran by: ${[...by].sort().join(', ')}`);
  process.exit(1);
}
