import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openConfiguredDatabase, reviewSessionSettings } from '../../src/compose.js';
import type { Database } from '../../src/db/client.js';
import { createReviewCases } from '../../src/review/cases.js';
import { createTrailSealer, verifyTrail } from '../../src/review/trail.js';
import { createLogger } from '../../src/logger.js';
import { seedCases } from '../../bench/review-seed.js';
import { freshDatabaseUrl } from '../support/database.js';
import { TEST_SECRET } from '../support/service.js';

const CASES = 10_000;
const AUDITORS = 20;

describe('claiming under concurrency', () => {
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    drop = fresh.drop;
    const config = loadConfig({ DATA_DIR: 'memory://', PERSON_ID_SECRET: TEST_SECRET, ...(fresh.url ? { DATABASE_URL: fresh.url } : {}) });
    // This test is about exclusivity, not durability: commits need not wait for the disk here
    // (bench/review.ts measures durable claiming).
    database = await openConfiguredDatabase(config, { ...reviewSessionSettings(config, TEST_SECRET), synchronous_commit: 'off' });
    await seedCases(database, CASES);
  }, 600_000);
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  it(`${AUDITORS} auditors drawing from ${CASES} cases at once: never the same case twice, none lost`, async () => {
    const total = Number((await database.query<{ n: number }>('select count(*)::int as n from review_cases'))[0]!.n);
    expect(total).toBe(CASES);
    // Sealed as the service seals: after each commit, coalescing, while the draws go on (on
    // PostgreSQL entries commit out of seq order here, and none may be skipped).
    const sealer = createTrailSealer({ database, logger: createLogger('silent') });
    const cases = createReviewCases({ database, drawPool: 10, afterCommit: sealer.nudge });
    const drawnBy = new Map<number, string>();
    const duplicates: number[] = [];
    await Promise.all(
      Array.from({ length: AUDITORS }, async (_, i) => {
        const person = { name: `auditor-${i}`, role: 'auditor' as const, keyId: `k${i}` };
        for (;;) {
          const c = await cases.draw(person);
          if (!c) return;
          if (drawnBy.has(c.id)) duplicates.push(c.id);
          drawnBy.set(c.id, person.name);
        }
      }),
    );
    expect(duplicates).toEqual([]);
    expect(drawnBy.size).toBe(CASES);
    const rows = await database.query<{ id: string; assignee: string; status: string }>('select id, assignee, status from review_cases');
    expect(rows.filter((r) => r.status !== 'assigned')).toEqual([]);
    expect(rows.filter((r) => drawnBy.get(Number(r.id)) !== r.assignee)).toEqual([]);
    expect(new Set(drawnBy.values()).size).toBe(AUDITORS);
    await sealer.stop();
    const trail = await verifyTrail(database);
    expect(trail).toMatchObject({ ok: true, entries: CASES, pending: 0 });
    const seals = await database.query<{ n: number; positions: number }>('select count(*)::int as n, max(position)::int as positions from review_trail_seals');
    expect(seals[0]).toEqual({ n: CASES, positions: CASES });
  }, 600_000);
});
