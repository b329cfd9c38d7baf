import { appendFileSync } from 'node:fs';

/**
 * SQL_LOG=<file>: every distinct SQL text this process sends, by engine, appended to the file as
 * JSON lines ({ engine, label, statements }). CI runs most files that start the service once, on
 * PostgreSQL, and a smaller set on both engines; `npm run sql-coverage` reads the two runs' logs and
 * fails if a statement ran on PostgreSQL and never on the embedded engine (docs/operations.md,
 * "Tests"). Off (and free) without the variable.
 */
export type Engine = 'pglite' | 'postgres';

const file = process.env.SQL_LOG;
export const statementLogging = Boolean(file);

const seen: Record<Engine, Set<string>> = { pglite: new Set(), postgres: new Set() };

/**
 * One statement's text as the same statement whatever its size: whitespace folded, parameters
 * unnumbered, a multi-row VALUES list (drizzle's insert of n rows) as one row, and month literals
 * ('2026-10': the history read's bounds, src/screening/history.repository.ts) as one month.
 */
export const normaliseStatement = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\$\d+/g, '$')
    .replace(/(\([^()]*\))(?:, \1)+/g, '$1')
    .replace(/'\d{4}-\d{2}'/g, "'YYYY-MM'");

/**
 * Notes a statement. One written in a test file or a benchmark's seeding (its caller, the first
 * frame outside src/db/, is under test/ or bench/) is the test's own, not the service's SQL: it is
 * marked so the coverage check leaves it out. The caller is read from V8's call sites, not a
 * formatted stack (which the test runner source-maps, milliseconds a statement), and only until
 * the text is known as the service's.
 */
export function noteStatement(engine: Engine, text: string, fromStack = true): void {
  if (seen[engine].has(text)) return;
  const caller = fromStack ? callerFile() : undefined;
  seen[engine].add(caller !== undefined && (caller.includes('/test/') || caller.includes('/bench/')) ? `${TEST_MARK}${text}` : text);
  if (!labelled && !pending) pending = setTimeout(flushSoon, 100).unref();
}

// A process no test file labels (a command, a spawned service) writes what it saw a moment after
// it saw it, and again at exit: a service ended by kill -9 has no exit to write at.
let labelled = false;
let pending: NodeJS.Timeout | undefined;
function flushSoon() {
  pending = undefined;
  flushStatements(`process ${process.argv.slice(1, 3).join(' ')}`);
}

/** the test run labels each file's statements itself (test/support/statement-log.ts) */
export function labelStatementsByFile(): void {
  labelled = true;
}

function callerFile(): string | undefined {
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = (_error, sites) => sites;
  const holder: { stack?: unknown } = {};
  try {
    Error.captureStackTrace(holder, noteStatement);
    const sites = (holder.stack ?? []) as NodeJS.CallSite[];
    for (const site of sites) {
      const name = site.getFileName();
      if (name && !name.includes('/src/db/')) return name;
    }
    return undefined;
  } finally {
    Error.prepareStackTrace = prepare;
  }
}

/** marks a statement a test file wrote itself */
export const TEST_MARK = '-- test: ';

/** appends what was seen since the last flush under `label` (a test file's path), then forgets it */
export function flushStatements(label: string): void {
  if (!file) return;
  for (const engine of ['pglite', 'postgres'] as const) {
    if (seen[engine].size === 0) continue;
    const statements = [...new Set([...seen[engine]].map((t) => (t.startsWith(TEST_MARK) ? TEST_MARK + normaliseStatement(t.slice(TEST_MARK.length)) : normaliseStatement(t))))].sort();
    appendFileSync(file, `${JSON.stringify({ engine, label, statements })}\n`);
    seen[engine].clear();
  }
}

// A command (the keys CLI, an import) or a spawned service records what it ran when it exits.
if (file) process.on('exit', flushSoon);
