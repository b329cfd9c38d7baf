import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.js';
import { catalogueItems, doctors, examRecognition, institutions, itemIndications, serviceScopes, itemRelations, personRegister, stockRecords } from '../db/schema.js';
import { RECORD_KEYS, recordKey, toRow } from './reference.rows.js';
import type { ReferenceKind } from './reference.schema.js';

const TABLES: Record<ReferenceKind, PgTable> = {
  institutions,
  'catalogue-items': catalogueItems,
  'item-relations': itemRelations,
  'stock-records': stockRecords,
  'person-register': personRegister,
  'item-indications': itemIndications,
  'exam-recognition': examRecognition,
  'service-scopes': serviceScopes,
  doctors,
};

// PostgreSQL allows 65,535 parameters a statement; 1,000 rows of at most 11 columns stay well under.
const ROWS_PER_STATEMENT = 1000;

/** Every non-key column takes the incoming value; updated_at marks the change for caches. */
function updateSet(columns: Record<string, PgColumn>, key: readonly string[]): Record<string, SQL> {
  const set: Record<string, SQL> = {};
  for (const [prop, column] of Object.entries(columns)) {
    if (key.includes(prop)) continue;
    set[prop] = column.name === 'updated_at' ? sql`now()` : sql.raw(`excluded."${column.name}"`);
  }
  return set;
}

/**
 * Writes one batch in one transaction: all of it or none. Within a batch a later record with the
 * same key replaces an earlier one (as a later batch would), since one INSERT … ON CONFLICT may
 * not touch a row twice. Returns the number of rows written.
 */
export async function upsertBatch(database: Database, kind: ReferenceKind, records: readonly unknown[]): Promise<number> {
  const table = TABLES[kind];
  const key: readonly string[] = RECORD_KEYS[kind];
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const convert = toRow[kind] as (r: unknown) => Record<string, unknown>;
  const byKey = new Map<string, Record<string, unknown>>();
  for (const record of records) {
    const row = convert(record);
    const k = recordKey(kind, row);
    byKey.delete(k); // re-insert so the surviving row keeps the later position
    byKey.set(k, row);
  }
  const rows = [...byKey.values()];
  if (rows.length === 0) return 0;
  const target = key.map((p) => columns[p] as PgColumn);
  const set = updateSet(columns, key);
  await database.db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await tx
        .insert(table)
        .values(rows.slice(i, i + ROWS_PER_STATEMENT) as never)
        .onConflictDoUpdate({ target, set: set as never });
    }
  });
  return rows.length;
}
