import { rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationsFolder, openDatabase, type Database, type Row } from '../../src/db/client.js';
import { canonicalJson } from '../../src/lib/hash.js';
import { appendTrail, GENESIS, readTrail, sealTrail, trailHash, verifyTrail } from '../../src/review/trail.js';
import { freshDatabaseUrl } from '../support/database.js';
import { migrationsUpTo } from '../support/migrations.js';

describe('the trail migration', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('seals the entries chained before seals existed as they stand: the old chain verifies and new entries extend it', async () => {
    // Three entries as the trail wrote them before 0009_trail_seals: each row with its own prev_hash and hash.
    const old: { seq: number; at: string; actor: string; action: string; body: string; prev: string; hash: string }[] = [];
    let prev = GENESIS;
    for (const [i, actor] of ['Li Na', 'Wang Fang', 'Sun Li'].entries()) {
      const at = `2026-11-0${i + 1}T08:00:00.000Z`;
      const body = canonicalJson({ at, actor, action: 'conflict.declare', caseId: null, before: null, after: { id: i + 1 } });
      const hash = trailHash(prev, body);
      old.push({ seq: i + 1, at, actor, action: 'conflict.declare', body, prev, hash });
      prev = hash;
    }
    const insert = 'insert into review_trail (seq, at, actor, action, case_id, body, prev_hash, hash) values ($1, $2, $3, $4, null, $5, $6, $7)';
    const upToMain = migrationsUpTo('0008_'); // the database as it was before the trail had seals
    cleanups.push(() => rmSync(upToMain, { recursive: true, force: true }));

    const fresh = await freshDatabaseUrl({ empty: true });
    cleanups.push(fresh.drop);
    let database: Database;
    if (fresh.url) {
      const client = postgres(fresh.url, { max: 1, onnotice: () => {} });
      await migratePostgres(drizzlePostgres(client), { migrationsFolder: upToMain });
      for (const e of old) await client.unsafe(insert, [e.seq, e.at, e.actor, e.action, e.body, e.prev, e.hash]);
      await client.end();
      // Opening applies the rest (0009 onwards).
      database = await openDatabase({ databaseUrl: fresh.url, pgliteDir: 'memory://', poolMax: 2, statementTimeoutMs: 5000 });
    } else {
      const pg = await PGlite.create('memory://');
      await migratePglite(drizzlePglite(pg), { migrationsFolder: upToMain });
      for (const e of old) await pg.query(insert, [e.seq, e.at, e.actor, e.action, e.body, e.prev, e.hash]);
      await migratePglite(drizzlePglite(pg), { migrationsFolder }); // the rest, as openDatabase does
      const query = async <T extends Row>(text: string, params: unknown[] = []) => (await pg.query<T>(text, params)).rows;
      database = {
        kind: 'pglite',
        query,
        transaction: (fn) => pg.transaction((tx) => fn(async <T extends Row>(text: string, params: unknown[] = []) => (await tx.query<T>(text, params)).rows)),
        close: () => pg.close(),
      } as Pick<Database, 'kind' | 'query' | 'transaction' | 'close'> as Database;
    }
    cleanups.push(() => database.close());
    expect(await verifyTrail(database)).toEqual({ ok: true, entries: 3, head: old[2]!.hash, pending: 0 });
    const read = await readTrail(database, { limit: 10 });
    expect(read.map((e) => [e.seq, e.position, e.prevHash, e.hash])).toEqual(old.map((e) => [e.seq, e.seq, e.prev, e.hash]));

    // A new entry, sealed now, chains onto the migrated head.
    await database.query(`select setval('review_trail_seq_seq', 3)`);
    await database.transaction((q) => appendTrail(q, { actor: 'Chen Jie', action: 'conflict.withdraw', caseId: null, before: { id: 1 }, after: { id: 1, withdrawn: true } }));
    expect((await verifyTrail(database)).pending).toBe(1);
    expect(await sealTrail(database)).toMatchObject({ sealed: 1, position: 4 });
    const fourth = (await readTrail(database, { afterSeq: 3, limit: 10 }))[0]!;
    expect(fourth).toMatchObject({ seq: 4, position: 4, prevHash: old[2]!.hash, actor: 'Chen Jie' });
    expect(await verifyTrail(database)).toEqual({ ok: true, entries: 4, head: fourth.hash, pending: 0 });
  });
});
