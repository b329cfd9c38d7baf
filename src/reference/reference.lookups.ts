import type { CatalogueItemRef, InstitutionRef, RelationRef, StockRef } from '../../rules/reference.js';
import type { Database } from '../db/client.js';
import { tenThousandthsFrom } from '../lib/money.js';
import { SELECT, fromRow, type DbRow } from './reference.rows.js';

/**
 * Keyed lookups in the shape the rules read (decimals as integers scaled by 10^4). Each is one
 * statement through the prepared-query path, since rules may call them per claim.
 */
const VALID_ON = (p: string) => `valid_from <= ${p}::date and (valid_to is null or valid_to >= ${p}::date)`;

// Codes travel as one JSON array parameter: the same text on both drivers, one prepared plan.
const INSTITUTION = `select ${SELECT.institutions} from institutions
  where institution_id = $1 and ${VALID_ON('$2')} order by valid_from desc limit 1`;
const ITEMS = `select distinct on (item_code) ${SELECT['catalogue-items']} from catalogue_items
  where item_code in (select jsonb_array_elements_text($1::jsonb)) and ${VALID_ON('$2')}
  order by item_code, valid_from desc`;
// kind = any(...) lets the (kind, main_code, …) primary key serve the main-code side.
const RELATIONS = `select distinct on (kind, main_code, sub_code) ${SELECT['item-relations']} from item_relations
  where (kind in ('includes', 'package') and main_code in (select jsonb_array_elements_text($1::jsonb))
         or sub_code in (select jsonb_array_elements_text($1::jsonb)))
    and ${VALID_ON('$2')}
  order by kind, main_code, sub_code, valid_from desc`;
const STOCK = `select ${SELECT['stock-records']} from stock_records where institution_id = $1 and month = $2`;

/** A numeric(16,4) column always fits; a failure here is a schema change, not bad data. */
function decimal(v: string): number {
  const n = tenThousandthsFrom(v);
  if (n === undefined) throw new Error(`unexpected decimal from the database: ${v}`);
  return n;
}
const scaled = (v: string | undefined) => (v === undefined ? undefined : decimal(v));

export function toInstitutionRef(row: DbRow): InstitutionRef {
  const { validFrom: _from, validTo: _to, ...rest } = fromRow.institutions(row);
  return rest;
}

export function toItemRef(row: DbRow): CatalogueItemRef {
  const r = fromRow['catalogue-items'](row);
  return {
    itemCode: r.itemCode,
    name: r.name,
    category: r.category,
    unit: r.unit,
    priceCeiling: {
      primary: scaled(r.priceCeiling.primary as string | undefined),
      secondary: scaled(r.priceCeiling.secondary as string | undefined),
      tertiary: scaled(r.priceCeiling.tertiary as string | undefined),
    },
    restrictions: r.restrictions,
  };
}

export function toRelationRef(row: DbRow): RelationRef {
  const r = fromRow['item-relations'](row);
  return { kind: r.kind, mainCode: r.mainCode, subCode: r.subCode, window: r.window, source: r.source };
}

export function createReferenceLookups(database: Database) {
  return {
    /** the institution's version valid on the date */
    async institutionAsOf(institutionId: string, date: string): Promise<InstitutionRef | undefined> {
      const [row] = await database.query(INSTITUTION, [institutionId, date]);
      return row ? toInstitutionRef(row) : undefined;
    },

    /** the catalogue items valid on the date, by code; codes without a valid version are absent */
    async itemsAsOf(codes: readonly string[], date: string): Promise<Map<string, CatalogueItemRef>> {
      if (codes.length === 0) return new Map();
      const rows = await database.query(ITEMS, [JSON.stringify([...new Set(codes)]), date]);
      return new Map(rows.map((row) => [String(row.item_code), toItemRef(row)]));
    },

    /** relations valid on the date in which any of the codes is the main item (package) or the sub-item (part) */
    async relationsOf(codes: readonly string[], date: string): Promise<RelationRef[]> {
      if (codes.length === 0) return [];
      const rows = await database.query(RELATIONS, [JSON.stringify([...new Set(codes)]), date]);
      return rows.map(toRelationRef);
    },

    /** the institution's stock records of a month yyyy-MM, by item code */
    async stockFor(institutionId: string, month: string): Promise<Map<string, StockRef>> {
      const rows = await database.query(STOCK, [institutionId, month]);
      return new Map(
        rows.map((row) => {
          const r = fromRow['stock-records'](row);
          return [r.itemCode, { openingQuantity: decimal(r.openingQuantity), purchasedQuantity: decimal(r.purchasedQuantity), purchasePrice: scaled(r.purchasePrice) }];
        }),
      );
    },
  };
}
