import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.js';
import { createReferenceRepository } from '../src/reference/reference.repository.js';
import { keyedHash } from '../src/lib/hash.js';
import { freshDatabaseUrl, seedPgliteDir } from './support/database.js';
import { TEST_SECRET } from './support/service.js';
import { runImport as runImportAs, type ImportRun } from './support/import.js';

type Run = ImportRun;

// The import runs as the operator runs it: a child process over a database it opens itself. PGlite
// serves one process at a time, so every import runs first and the test opens the database after.
let dir: string;
let db: Awaited<ReturnType<typeof freshDatabaseUrl>>;
let database: Database;
const runs: Record<string, Run> = {};
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cs-import-'));
  db = await freshDatabaseUrl();
  await seedPgliteDir(path.join(dir, 'data', 'pglite'));
  for (const [name, lines] of Object.entries(CSV)) {
    files[name] = path.join(dir, `${name}.csv`);
    await writeFile(files[name], `${lines.join('\n')}\n`);
  }
  const refusals = Promise.all([runImport('institutions', dir).then((r) => (runs.directory = r)), runImport('stock-records', files.relations as string).then((r) => (runs.wrongHeader = r))]);
  runs.institutions = await runImport('institutions', files.institutions as string);
  runs.items = await runImport('catalogue-items', files.items as string, '--batch', '1');
  runs.relations = await runImport('item-relations', files.relations as string);
  runs.stock = await runImport('stock-records', files.stock as string, '--batch', '2');
  runs.persons = await runImport('person-register', files.persons as string);
  runs.indications = await runImport('item-indications', files.indications as string);
  await refusals;
  database = await openDatabase({ databaseUrl: db.url, pgliteDir: path.join(dir, 'data', 'pglite'), poolMax: 2, statementTimeoutMs: 5000 });
}, 300_000); // eight import processes one after another, each starting Node and opening the database
afterAll(async () => {
  await database?.close();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const runImport = (...args: string[]) => runImportAs({ url: db.url, dir }, ...args);

const CSV = {
  institutions: [
    'institutionId,name,type,level,ownership,area,beds,designatedFrom,designatedTo,validFrom,validTo',
    'H32010200001,南京市示例医院,hospital,secondary,public,320102,300,2020-01-01,,2025-01-01,2025-12-31',
    'H32010200001,南京市示例医院,hospital,tertiary,public,320102,800,2020-01-01,2027-06-30,2026-01-01,',
    'P32010200003,"大药房, 鼓楼店",pharmacy,none,private,320106,0,2023-05-01,,2023-05-01,',
  ],
  items: [
    '\uFEFFitemCode,name,category,unit,priceCeiling.primary,priceCeiling.secondary,restrictions.sex,restrictions.careSettings,restrictions.minAgeYears,restrictions.timesPerCycle.times,restrictions.timesPerCycle.cycleDays,validFrom,validTo',
    '120100001,床位费,bed,日,30,45.5,,inpatient,,,,2026-01-01,',
    'XJ01,"头孢曲松钠, 注射液",drug,支,,12.3333,female,outpatient|inpatient,18,1,7,2026-01-01,2026-12-31',
    'BAD1,x,drugs,支,,,,,abc,,,2026-01-01,',
    'BAD2,too short',
    'BAD3,x,drug,支,-1,,,,,,,2026-02-01,2026-01-01',
  ],
  relations: [
    'kind,mainCode,subCode,window,source,note,validFrom,validTo',
    'includes,330100001,120400001,same_day,fund-2026,,2026-01-01,',
    'package,PKG01,330100001,,fund-2026,日间手术包,2026-01-01,2026-12-31',
  ],
  persons: [
    'personId,personHash,enrolledFrom,enrolledTo,deathDate,validFrom,validTo',
    '320102195803140012,,2010-01-01,,2026-10-02,2000-01-01,',
    '320102199001010021,,2010-01-01,2026-09-30,,2000-01-01,',
    ',,2010-01-01,,,2000-01-01,',
  ],
  indications: [
    'itemCode,allowed,excluded,source,validFrom,validTo',
    'XA10BAE046A001010100006,E10|E11|e28.2,,fund-2026,2026-01-01,',
    'XJ01CAA038E001010100002,,J00|J06.9,fund-2026,2026-01-01,2026-12-31',
    'XJ01CAA038E001010100003,,,fund-2026,2026-01-01,',
  ],
  stock: ['institutionId,itemCode,month,openingQuantity,purchasedQuantity', 'P32010200003,XJ01,2026-10,10,100', 'P32010200003,XJ01,2026-10,12.5,120.25', 'P32010200003,XJ02,2026-10,0,30'],
};

describe('npm run import item-indications', () => {
  it('loads allowed and excluded prefixes from "|"-separated cells, upper-cased; a row naming neither is refused', async () => {
    expect(runs.indications?.code).toBe(1);
    expect(runs.indications?.stderr).toContain('line 4');
    expect(runs.indications?.stderr).toContain('at least one of allowed and excluded must name a prefix');
    const rows = await database.query<{ item_code: string; allowed: unknown; excluded: unknown; valid_to: string | null }>(
      'select item_code, allowed, excluded, valid_to::text from item_indications order by item_code',
    );
    const list = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    expect(rows.map((r) => [r.item_code, list(r.allowed), list(r.excluded), r.valid_to])).toEqual([
      ['XA10BAE046A001010100006', ['E10', 'E11', 'E28.2'], [], null],
      ['XJ01CAA038E001010100002', [], ['J00', 'J06.9'], '2026-12-31'],
    ]);
  });
});

describe('npm run import person-register', () => {
  it('stores each person under the keyed hash of the id (the claims’ key), never the id; a row naming nobody is refused', async () => {
    expect(runs.persons?.code).toBe(1);
    expect(runs.persons?.stderr).toContain('line 4');
    expect(runs.persons?.stderr).toContain('exactly one of personId and personHash is required');
    const rows = await database.query<{ person_hash: string; death_date: string | null; enrolled_to: string | null }>(
      'select person_hash, death_date::text, enrolled_to::text from person_register order by death_date nulls last',
    );
    expect(rows.map((r) => [r.death_date, r.enrolled_to])).toEqual([
      ['2026-10-02', null],
      [null, '2026-09-30'],
    ]);
    for (const r of rows) expect(r.person_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    if (db.url) expect(rows[0]?.person_hash).toBe(keyedHash(TEST_SECRET, '320102195803140012'));
    const all = JSON.stringify(await database.query('select * from person_register'));
    expect(all).not.toContain('320102195803140012');
    expect(all).not.toContain('320102199001010021');
  });
});

describe('npm run import', () => {
  const repo = () => createReferenceRepository({ database });

  it('loads institutions, one version per row, and answers the one valid on a date', async () => {
    expect(runs.institutions?.stdout).toContain(`institutions: 3 loaded, 0 refused of 3 rows read from ${files.institutions}`);
    expect(runs.institutions?.code).toBe(0);
    expect((await repo().institutionAsOf('H32010200001', '2025-07-01'))?.level).toBe('secondary');
    expect(await repo().institutionAsOf('H32010200001', '2026-07-01')).toMatchObject({ level: 'tertiary', beds: 800, designatedTo: '2027-06-30' });
    expect(await repo().institutionAsOf('P32010200003', '2026-07-01')).toMatchObject({ name: '大药房, 鼓楼店', type: 'pharmacy', level: 'none', beds: 0 });
  });

  it('loads the good catalogue rows, names each bad row by row, line and field, and exits 1', async () => {
    const run = runs.items as Run;
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('catalogue-items: 2 loaded, 3 refused of 5 rows read');
    expect(run.stderr).toContain('row 3 (line 4) category: Invalid option');
    expect(run.stderr).toContain('row 3 (line 4) restrictions.minAgeYears: Invalid input: expected number, received string');
    expect(run.stderr).toContain('row 4 (line 5): has 2 fields, the header has 13');
    expect(run.stderr).toContain('row 5 (line 6) priceCeiling.primary: must be a non-negative decimal');
    expect(run.stderr).toContain('row 5 (line 6) validTo: must not be before validFrom');
    const items = await repo().itemsAsOf(['120100001', 'XJ01', 'BAD1'], '2026-06-01');
    expect([...items.keys()].sort()).toEqual(['120100001', 'XJ01']);
    expect(items.get('120100001')?.priceCeiling).toEqual({ primary: 300_000, secondary: 455_000, tertiary: undefined });
    expect(items.get('XJ01')).toMatchObject({
      name: '头孢曲松钠, 注射液',
      priceCeiling: { secondary: 123_333 },
      restrictions: { sex: 'female', careSettings: ['outpatient', 'inpatient'], minAgeYears: 18, timesPerCycle: { times: 1, cycleDays: 7 } },
    });
    const [row] = await database.query(`select price_ceiling_secondary::text as p from catalogue_items where item_code = 'XJ01'`);
    expect(row?.p).toBe('12.3333');
  });

  it('loads relations, found by either code on a date', async () => {
    expect(runs.relations?.stdout).toContain('item-relations: 2 loaded, 0 refused of 2 rows read');
    expect(await repo().relationsOf(['330100001'], '2026-06-01')).toEqual([
      { kind: 'includes', mainCode: '330100001', subCode: '120400001', window: 'same_day', source: 'fund-2026' },
      { kind: 'package', mainCode: 'PKG01', subCode: '330100001', window: undefined, source: 'fund-2026' },
    ]);
    expect(await repo().relationsOf(['PKG01'], '2027-01-01')).toEqual([]);
  });

  it('loads stock in batches, a later row replacing an earlier one with the same key', async () => {
    expect(runs.stock?.code).toBe(0);
    expect(runs.stock?.stdout).toContain('stock-records: 3 loaded, 0 refused of 3 rows read');
    expect(Object.fromEntries(await repo().stockFor('P32010200003', '2026-10'))).toEqual({
      XJ01: { openingQuantity: 125_000, purchasedQuantity: 1_202_500 },
      XJ02: { openingQuantity: 0, purchasedQuantity: 300_000 },
    });
  });

  it('refuses a directory, and a header that does not fit the kind, before reading any row', () => {
    expect(runs.directory?.code).toBe(2);
    expect(runs.directory?.stderr).toContain(`${dir} is a directory`);
    const wrong = runs.wrongHeader as Run;
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('unknown column "kind"');
    expect(wrong.stderr).toContain('missing required column "institutionId"');
    expect(wrong.stdout).toContain('stock-records: 0 loaded, 0 refused of 0 rows read');
  });
});
