import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Four tiers, each a vitest project:
 *
 * - unit: rules, models, lib and the other pure modules; no database, no server, no browser.
 *   `npm run test:unit`, seconds.
 * - integration: everything that starts the service or opens a database and exercises SQL of its
 *   own (PGlite, or PostgreSQL with DATABASE_URL). `npm run test:integration`.
 * - once: files that start the service but whose subject does not change with the database engine
 *   (see ONCE: validation, access, the contract, the page's shell) and whose SQL other files run on
 *   both engines. `npm run test:once`.
 * - slow: the long runs whose subject does not change with the database engine (memory of a
 *   200,000-claim stream, property-based fuzzing, slow clients waiting out timeouts, many auditors
 *   at once). `npm run test:slow`.
 *
 * `npm test` runs all four, on the engine of the environment. SKIP_SLOW_TESTS=1 leaves the slow
 * project out. CI (.ci/run) runs unit and integration on PGlite, then integration, once and slow on
 * PostgreSQL: every test runs, the engine-independent ones once.
 */
const UNIT = [
  // the rule tests that start the service (params and the families' tests through the API) are
  // integration: each rule is tested on both engines
  'test/rules/!(params|claim-level|indications|institution-window|person-history|supply|zero-markup).test.ts',
  'test/models/*.test.ts',
  'test/lib.test.ts',
  'test/inspections/draw.test.ts',
  'test/national-lists-files.test.ts',
  'test/provider-targeting.test.ts',
  'test/report-units.test.ts',
  // zod's compiled claim schema against its interpreter: no service
  'test/claim-schema-compiled.test.ts',
  // the stream's line splitter, on bytes cut at random
  'test/ndjson.test.ts',
  // the census's book of stays in flight, alone
  'test/stays-in-flight.test.ts',
];
/**
 * Started on a service, but about something the database engine does not change; every SQL
 * statement they cause is also run, on both engines, by an integration file. So they run once, in
 * CI on PostgreSQL, the production engine. CI checks the claim: both test phases log their
 * statements (SQL_LOG) and `npm run sql-coverage` fails on a statement that ran on PostgreSQL and
 * never on PGlite (a test file's own statements, its set-up and checks, aside).
 */
const ONCE = [
  // configuration parsing, and the service refusing to start on a wrong setting: no database
  'test/config.test.ts',
  // validation answers (400/413) before any SQL; the refusal's row: stream.test.ts
  'test/bad-input.test.ts',
  // query and path parameters refused before any SQL; the list queries: their features' files
  'test/query-params.test.ts',
  // who may call what, decided before the handler; the handlers: their features' files
  'test/auth-matrix.test.ts',
  // the OpenAPI document and its example claim; intake: claims.test.ts, stream.test.ts
  'test/openapi-contract.test.ts',
  // the simulator's claims valid for the service; intake of streams: stream.test.ts, report.test.ts
  'test/sim.test.ts',
  // load shedding before a request is read (MAX_IN_FLIGHT, in memory)
  'test/overload.test.ts',
  // the keys page in the browser; keys' SQL: admin-keys.test.ts
  'test/page/keys-page.test.ts',
  // Long flows through the service, among the dearest files on PGlite (CPU seconds there, 3 Dec),
  // whose statements the integration tier also runs: the re-check through the API (45), the
  // monthly report (27, 16, 11), the import fuzzing (14).
  'test/review/recheck-api.test.ts',
  'test/report.test.ts',
  'test/report-targets.test.ts',
  'test/report-quality.test.ts',
  'test/reference-import-fuzz.test.ts',
  // Page flows in the browser whose every statement test/page/evidence-flows.test.ts (the case
  // page, notes, files, release, conclusions) and the review API files also run on PGlite: the
  // review round trip, the re-check page, the refusal form (10, 5 and 5 CPU-s there, and chromium).
  'test/page/review-e2e.test.ts',
  'test/page/recheck-page.test.ts',
  'test/page/refusal-form.test.ts',
];
/** the embedded database itself (its owner lock): nothing of PostgreSQL's to test, so PGlite only */
const PGLITE_ONLY = ['test/pglite-owner-lock.test.ts'];
const onPostgres = Boolean(process.env.DATABASE_URL);
const SLOW = ['test/stream-volume.test.ts', 'test/fuzz.test.ts', 'test/fuzz-endpoints.test.ts', 'test/slow-clients.test.ts', 'test/review/claiming.test.ts', 'test/review/recheck-due.test.ts'];

/**
 * Files that take minutes, started first. Vitest orders by the durations it cached on an earlier
 * run; a clean clone (CI) has none and falls back to file size, which would start a short file that
 * runs for minutes last and leave one worker running it alone at the end.
 */
const LONGEST_FIRST = [
  'test/stream-volume.test.ts',
  'test/fuzz.test.ts',
  'test/data-dir-owner.test.ts',
  'test/review/claiming.test.ts',
  'test/slow-clients.test.ts',
  'test/page/page-shell.test.ts',
  'test/review/recheck-due.test.ts',
  'test/fuzz-endpoints.test.ts',
  'test/reference-import.test.ts',
  'test/page/keys-page.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((name) => spec.moduleId.endsWith(name));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    // Array.prototype.sort is stable: the rest keeps the base order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

/** one migrated database (PGlite or PostgreSQL) that the tests' databases are copied from */
const TEMPLATE = 'test/support/database-template.ts';
/** the service and commands that tests start as child processes, compiled once per run */
const ENTRY_POINTS = 'test/support/entry-points.ts';

const skipSlow = ['1', 'true'].includes(process.env.SKIP_SLOW_TESTS ?? '');

/*
 * isolate: false in the unit, integration and once tiers: a worker imports the service's modules
 * once for all the files it runs, not once per file (about 1.4 s of CPU a file, 40% of a short
 * file's; every file builds its own service and database, and the modules keep no state between
 * them; the one chromium a worker starts is shared, each file closing its own pages:
 * test/support/browser.ts). The slow tier keeps a fresh process per file: stream-volume measures
 * its process's memory.
 *
 * CPU_LOG=<file>: each file's CPU seconds, one JSON line per file (test/support/cpu-log.ts).
 * SQL_LOG=<file>: each file's SQL statements by engine (test/support/statement-log.ts), which
 * `npm run sql-coverage` compares across the engines.
 */

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file opens its own database; two cores, so keep parallelism modest.
    maxWorkers: 2,
    setupFiles: [...(process.env.CPU_LOG ? ['test/support/cpu-log.ts'] : []), ...(process.env.SQL_LOG ? ['test/support/statement-log.ts'] : [])],
    sequence: { sequencer: LongestFirst },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, isolate: false } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, ...ONCE, ...SLOW, ...(onPostgres ? PGLITE_ONLY : [])],
          globalSetup: [TEMPLATE, ENTRY_POINTS],
          isolate: false,
        },
      },
      { extends: true, test: { name: 'once', include: ONCE, globalSetup: [TEMPLATE, ENTRY_POINTS], isolate: false } },
      ...(skipSlow ? [] : [{ extends: true as const, test: { name: 'slow', include: SLOW, globalSetup: [TEMPLATE, ENTRY_POINTS] } }]),
    ],
  },
});
