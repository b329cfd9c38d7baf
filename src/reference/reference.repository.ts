import type { Database } from '../db/client.js';
import { keyedHash } from '../lib/hash.js';
import { createReferenceLookups } from './reference.lookups.js';
import { listRecords, type ListQuery } from './reference.query.js';
import type {
  CatalogueItemRecord,
  DoctorRecord,
  ExamRecognitionRecord,
  InstitutionRecord,
  ServiceScopeRecord,
  ItemIndicationRecord,
  ItemRelationRecord,
  PersonRegisterRecord,
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
  'person-register': PersonRegisterRecord;
  'item-indications': ItemIndicationRecord;
  'exam-recognition': ExamRecognitionRecord;
  'service-scopes': ServiceScopeRecord;
  doctors: DoctorRecord;
}

/**
 * Reference data: batches in (from the API and the CSV import alike), pages out, and the keyed
 * lookups rules need. Records must already be parsed by the kind's zod schema.
 */
export function createReferenceRepository({ database, personIdSecret }: { database: Database; personIdSecret?: string }) {
  /** a person named by the raw id is stored under its keyed hash, the claims' key; the id itself is dropped */
  const hashed = (r: PersonRegisterRecord): PersonRegisterRecord => {
    if (r.personId === undefined) return r;
    const { personId, ...rest } = r;
    if (personIdSecret === undefined) throw new Error('person register entries by personId need the person id secret');
    return { ...rest, personHash: keyedHash(personIdSecret, personId) };
  };
  return {
    /** one transaction per batch; returns the number of rows written */
    upsert<K extends ReferenceKind>(kind: K, records: readonly ReferenceRecords[K][]): Promise<number> {
      if (kind === 'person-register') return upsertBatch(database, kind, (records as readonly PersonRegisterRecord[]).map(hashed));
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
