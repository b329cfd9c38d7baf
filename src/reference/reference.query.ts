import type { Database } from '../db/client.js';
import { SELECT, fromRow, type DbRow } from './reference.rows.js';
import type { ReferenceKind } from './reference.schema.js';

export interface ListQuery {
  /** institution id (institutions, stock records) */
  id?: string | undefined;
  /** item code (catalogue items, stock records); either side of a relation */
  code?: string | undefined;
  /** stock records of one month yyyy-MM */
  month?: string | undefined;
  /** only the version of each record valid on this date */
  asOf?: string | undefined;
  limit: number;
  offset: number;
}

type Filter = (placeholder: string) => string;

interface KindSql {
  table: string;
  /** identity of a record apart from its validity: versions of one record share it */
  key: string;
  versioned: boolean;
  filters: Partial<Record<'id' | 'code' | 'month', Filter>>;
}

const KINDS: Record<ReferenceKind, KindSql> = {
  institutions: { table: 'institutions', key: 'institution_id', versioned: true, filters: { id: (p) => `institution_id = ${p}` } },
  'catalogue-items': { table: 'catalogue_items', key: 'item_code', versioned: true, filters: { code: (p) => `item_code = ${p}` } },
  'item-relations': {
    table: 'item_relations',
    key: 'main_code, sub_code, kind',
    versioned: true,
    filters: { code: (p) => `(main_code = ${p} or sub_code = ${p})` },
  },
  'stock-records': {
    table: 'stock_records',
    key: 'institution_id, item_code, month',
    versioned: false,
    filters: { id: (p) => `institution_id = ${p}`, code: (p) => `item_code = ${p}`, month: (p) => `month = ${p}` },
  },
  'person-register': { table: 'person_register', key: 'person_hash', versioned: true, filters: {} },
  'item-indications': { table: 'item_indications', key: 'item_code', versioned: true, filters: { code: (p) => `item_code = ${p}` } },
  'exam-recognition': { table: 'exam_recognition', key: 'item_code', versioned: true, filters: { code: (p) => `item_code = ${p}` } },
  'service-scopes': { table: 'service_scopes', key: 'institution_id', versioned: true, filters: { id: (p) => `institution_id = ${p}` } },
  doctors: { table: 'doctors', key: 'doctor_id', versioned: true, filters: { id: (p) => `institution_id = ${p}` } },
};

/** The filters the kind accepts, so the routes can refuse one that would silently be ignored. */
export const acceptedFilters = (kind: ReferenceKind) => Object.keys(KINDS[kind].filters);

/**
 * One page of a kind's records in key order, and how many match. With asOf, each record's
 * version valid on that date; where versions overlap, the one with the latest validFrom wins
 * (the same choice the screening cache makes).
 */
export async function listRecords(database: Database, kind: ReferenceKind, q: ListQuery) {
  const k = KINDS[kind];
  const params: unknown[] = [];
  const where: string[] = [];
  for (const name of ['id', 'code', 'month'] as const) {
    const filter = k.filters[name];
    const value = q[name];
    if (filter && value !== undefined) where.push(filter(`$${params.push(value)}`));
  }
  if (k.versioned && q.asOf !== undefined) {
    const p = `$${params.push(q.asOf)}::date`;
    where.push(`valid_from <= ${p} and (valid_to is null or valid_to >= ${p})`);
  }
  const whereSql = where.length ? `where ${where.join(' and ')}` : '';
  const latestOnly = k.versioned && q.asOf !== undefined;
  const page = `limit $${params.length + 1} offset $${params.length + 2}`;
  const rowsSql = latestOnly
    ? `select distinct on (${k.key}) ${SELECT[kind]} from ${k.table} ${whereSql} order by ${k.key}, valid_from desc ${page}`
    : `select ${SELECT[kind]} from ${k.table} ${whereSql} order by ${k.key}${k.versioned ? ', valid_from' : ''} ${page}`;
  const countSql = latestOnly ? `select count(*)::int as n from (select distinct ${k.key} from ${k.table} ${whereSql}) v` : `select count(*)::int as n from ${k.table} ${whereSql}`;
  const [rows, counted] = await Promise.all([database.query<DbRow>(rowsSql, [...params, q.limit, q.offset]), database.query<{ n: number }>(countSql, params)]);
  const convert = fromRow[kind] as (r: DbRow) => unknown;
  return { records: rows.map(convert), total: Number(counted[0]?.n ?? 0) };
}
