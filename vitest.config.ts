import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that take minutes, started first. Vitest orders by the durations it cached on an earlier
 * run; a clean clone (CI) has none and falls back to file size, which started the 200,000-claim
 * stream (a short file, 4-5 minutes) last, so one worker ran it alone at the end: 462 s for the
 * PGlite suite where the second run, ordered by its cache, needed 299 s.
 */
const LONGEST_FIRST = [
  'test/stream-volume.test.ts',
  'test/fuzz.test.ts',
  'test/stream.test.ts',
  'test/reference-import.test.ts',
  'test/review/claiming.test.ts',
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

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'rules/**/*.test.ts', 'models/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file opens its own database; two cores, so keep parallelism modest.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
  },
});
