import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { DataDirBusyError } from '../src/db/owner-lock.js';
import { seedPgliteDir } from './support/database.js';

/**
 * The embedded database has one owner within a process too (issue 22, item 4; across processes:
 * test/data-dir-owner.test.ts). PGlite's own lock, so PGlite only (PGLITE_ONLY in vitest.config.ts).
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'claimscreen-owner-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('DATA_DIR has one owner', () => {
  it('one owner within a process too: a second open is refused until the first is closed', async () => {
    const pgliteDir = path.join(dir, 'solo', 'pglite');
    await seedPgliteDir(pgliteDir);
    const open = () => openDatabase({ pgliteDir, poolMax: 1, statementTimeoutMs: 5000 });
    const first = await open();
    const refused = await open().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DataDirBusyError);
    expect((refused as DataDirBusyError).holder).toMatchObject({ pid: process.pid });
    await first.close();
    const second = await open();
    expect(await second.query<{ one: number }>('select 1 as one')).toEqual([{ one: 1 }]);
    await second.close();
    // the lock file stays (deleting it would let a newcomer lock a new file beside a live owner); its owner's note is cleared
    expect(readFileSync(path.join(dir, 'solo', 'pglite.lock'), 'utf8')).toBe('');
  }, 120_000);
});
