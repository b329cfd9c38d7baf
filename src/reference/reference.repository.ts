import type { Database } from '../db/client.js';
import { createReferenceLookups } from './reference.lookups.js';
import { listRecords, type ListQuery } from './reference.query.js';
import type {
  CatalogueItemRecord,
  InstitutionRecord,
  ItemRelationRecord,
  ReferenceKind,
  StockRecordInput,
} from './reference.schema.js';
import { upsertBatch } from './reference.upsert.js';

/** The record type each kind's schema produces, for typed callers of upsert. */
export interface ReferenceRecords {
  institutions: InstitutionRecord;
  'catalogue-items': CatalogueItemRecord;
  'item-relations': ItemRelationRecord;
  'stock-records': StockRecordInput;
}

/**
 * Reference data: batches in (from the API and the CSV import alike), pages out, and the keyed
 * lookups rules need. Records must already be parsed by the kind's zod schema.
 */
export function createReferenceRepository({ database }: { database: Database }) {
  return {
    /** one transaction per batch; returns the number of rows written */
    upsert<K extends ReferenceKind>(kind: K, records: readonly ReferenceRecords[K][]): Promise<number> {
      return upsertBatch(database, kind, records);
    },
    list(kind: ReferenceKind, query: ListQuery) {
      return listRecords(database, kind, query);
    },
    ...createReferenceLookups(database),
  };
}

export type ReferenceRepository = ReturnType<typeof createReferenceRepository>;
export type { ListQuery };
