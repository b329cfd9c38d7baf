import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Three tiers, each a vitest project:
 *
 * - unit: rules, models, lib and the other pure modules; no database, no server, no browser.
 *   `npm run test:unit`, seconds.
 * - integration: everything that starts the service or opens a database (PGlite, or PostgreSQL
 *   with DATABASE_URL). `npm run test:integration`.
 * - slow: the long runs whose subject does not change with the database engine (memory of a
 *   200,000-claim stream, property-based fuzzing, slow clients waiting out timeouts, many auditors
 *   at once). `npm run test:slow`.
 *
 * `npm test` runs all three. SKIP_SLOW_TESTS=1 leaves the slow project out: CI sets it for its
 * PGlite run and runs the slow tier once, in its PostgreSQL run.
 */
const UNIT = [
  // the rule tests that start the service (params and the families' tests through the API) are integration
  'test/rules/!(params|claim-level|indications|institution-window|person-history|supply|zero-markup).test.ts',
  'test/models/*.test.ts',
  'test/lib.test.ts',
  'test/inspections/draw.test.ts',
  'test/national-lists-files.test.ts',
  'test/provider-targeting.test.ts',
  'test/report-units.test.ts',
];
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

const skipSlow = ['1', 'true'].includes(process.env.SKIP_SLOW_TESTS ?? '');

/*
 * isolate: false in the unit and integration tiers: a worker imports the service's modules once
 * for all the files it runs, not once per file (about 1.4 s of CPU a file, 40% of a short file's;
 * every file builds its own service, database and browser, and the modules keep no state between
 * them). The slow tier keeps a fresh process per file: stream-volume measures its process's memory.
 */

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file opens its own database; two cores, so keep parallelism modest.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, isolate: false } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: [...UNIT, ...SLOW], globalSetup: [TEMPLATE], isolate: false } },
      ...(skipSlow ? [] : [{ extends: true as const, test: { name: 'slow', include: SLOW, globalSetup: [TEMPLATE] } }]),
    ],
  },
});
