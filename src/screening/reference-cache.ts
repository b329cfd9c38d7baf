import type { Logger } from 'pino';
import {
  personAt,
  type CatalogueItemRef,
  type ExamRecognitionRef,
  type DoctorRef,
  type IndicationRef,
  type InstitutionRef,
  type PersonVersion,
  type ReferenceView,
  type RelationRef,
  type Restrictions,
  type ServiceScopeRef,
  type StockRef,
} from '../../rules/reference.js';
import type { Database } from '../db/client.js';
import { tenThousandthsFrom } from '../lib/money.js';
import { createRefreshing } from '../lib/refreshing.js';
import { VersionedIndex, type Versioned } from './versioned.js';

export interface Snapshot {
  institutions: VersionedIndex<InstitutionRef>;
  items: VersionedIndex<CatalogueItemRef>;
  relations: VersionedIndex<RelationRef>;
  /** the same relations keyed by the sub-item (a package's part) */
  relationsBySub: VersionedIndex<RelationRef>;
  /** item indications (item_indications), by item code */
  indications: VersionedIndex<IndicationRef>;
  /** the exam mutual-recognition list (exam_recognition), by item code */
  exams: VersionedIndex<ExamRecognitionRef>;
  /** institutions' service scopes (service_scopes), by institution id */
  scopes: VersionedIndex<ServiceScopeRef>;
  /** doctors (doctors), by doctor id */
  doctors: VersionedIndex<DoctorRef>;
  itemLimits: Map<string, { name: string; restrictions: Restrictions }>;
  drugLimits: Map<string, Restrictions>;
  /** merged items already asked for, by code, then date (null: no such item) */
  merged: Map<string, Map<string, CatalogueItemRef | null>>;
  /** dates held in `merged`, to bound it */
  mergedCount: number;
}

const TABLES = ['institutions', 'catalogue_items', 'item_relations', 'item_indications', 'doctors', 'national_item_limits', 'national_drug_limits', 'exam_recognition', 'service_scopes'];
const CHANGE_PROBE = TABLES.map((t) => `select '${t}' as t, count(*)::text as n, coalesce(max(updated_at)::text, '') as m from ${t}`).join(' union all ');

/**
 * Reference data held in memory, indexed by id and code, so rules look up by key and never query.
 * It reloads when the tables change: at once after a write through this process, and within the
 * refresh interval for writes through other instances or the import command.
 */
export function createReferenceCache({ database, logger, refreshMs = 30_000 }: { database: Database; logger: Logger; refreshMs?: number }) {
  const snapshot = createRefreshing({
    name: 'reference',
    initial: emptySnapshot(),
    probe: () => database.query(CHANGE_PROBE),
    load: () => loadSnapshot(database),
    onLoaded: (s) => logger.info({ institutions: s.institutions.size, items: s.items.size }, 'reference data loaded'),
    refreshMs,
    logger,
  });

  return {
    refresh: snapshot.refresh,
    start: snapshot.start,
    stop: snapshot.stop,
    /** a view for one claim; stock and the person's register entry come with the claim's history */
    view(stock: ReadonlyMap<string, StockRef> = new Map(), person?: ClaimPerson, purchasePrices?: ReadonlyMap<string, number>): ReferenceView {
      return snapshotView(snapshot.current(), stock, person, purchasePrices);
    },
  };
}

export type ReferenceCache = ReturnType<typeof createReferenceCache>;

/** The claim's person and their register versions, read with the claim's history. */
export interface ClaimPerson {
  personHash: string;
  versions: readonly PersonVersion[];
}

/** A reference view over a snapshot; stock is the claim's (keyed institution|item|month), and so is the person. */
export function snapshotView(s: Snapshot, stock: ReadonlyMap<string, StockRef> = new Map(), person?: ClaimPerson, purchasePrices?: ReadonlyMap<string, number>): ReferenceView {
  return {
    institution: (id, date) => s.institutions.at(id, date),
    item: (code, date) => mergedItem(s, code, date),
    relationsOfMain: (code, date) => s.relations.allAt(code, date),
    relationsOfSub: (code, date) => s.relationsBySub.allAt(code, date),
    // usually empty (the claim's items with a stock record): no key built then
    stock: (institutionId, itemCode, month) => (stock.size === 0 ? undefined : stock.get(`${institutionId}|${itemCode}|${month}`)),
    catalogueSize: () => s.items.size,
    purchasePrice: (institutionId, itemCode, month) => {
      const key = `${institutionId}|${itemCode}|${month}`;
      return stock.get(key)?.purchasePrice ?? purchasePrices?.get(key);
    },
    indications: (code, date) => (s.indications.size === 0 ? undefined : s.indications.at(code, date)),
    examRecognition: (code, date) => (s.exams.size === 0 ? undefined : s.exams.at(code, date)),
    serviceScope: (id, date) => (s.scopes.size === 0 ? undefined : s.scopes.at(id, date)),
    doctor: (id, date) => (s.doctors.size === 0 ? undefined : s.doctors.at(id, date)),
    person: (hash, date) => (person && person.versions.length > 0 && hash === person.personHash ? personAt(person.versions, date) : undefined),
  };
}

/**
 * The fund's catalogue record with the national lists' limits for its code and generic name merged
 * in; merged once per code and date of a snapshot (rules ask for the same items on every claim).
 */
function mergedItem(s: Snapshot, code: string, date: string): CatalogueItemRef | undefined {
  // Two lookups by the claim's own strings (their hashes are cached on them), not one by a key
  // concatenated on every call: the rules ask for an item ~150 times a claim (bench:rules).
  let byDate = s.merged.get(code);
  const hit = byDate?.get(date);
  if (hit !== undefined) return hit ?? undefined;
  if (s.mergedCount >= 200_000) {
    s.merged.clear();
    s.mergedCount = 0;
    byDate = undefined;
  }
  if (!byDate) s.merged.set(code, (byDate = new Map()));
  const merged = mergeItem(s, code, date);
  byDate.set(date, merged ?? null);
  s.mergedCount++;
  return merged;
}

function mergeItem(s: Snapshot, code: string, date: string): CatalogueItemRef | undefined {
  const item = s.items.at(code, date);
  const byCode = s.itemLimits.get(code);
  if (!item && !byCode) return undefined;
  const byName = item ? s.drugLimits.get(item.name) : undefined;
  const base: CatalogueItemRef = item ?? { itemCode: code, name: byCode!.name, category: 'service', unit: '次', priceCeiling: {}, restrictions: {} };
  if (!byCode && !byName) return base;
  return { ...base, restrictions: { ...byName, ...byCode?.restrictions, ...base.restrictions } };
}

export function emptySnapshot(): Snapshot {
  return {
    institutions: new VersionedIndex(),
    items: new VersionedIndex(),
    relations: new VersionedIndex(),
    relationsBySub: new VersionedIndex(),
    indications: new VersionedIndex(),
    exams: new VersionedIndex(),
    scopes: new VersionedIndex(),
    doctors: new VersionedIndex(),
    itemLimits: new Map(),
    drugLimits: new Map(),
    merged: new Map(),
    mergedCount: 0,
  };
}

type Row = Record<string, string | number | null | Record<string, unknown>>;
const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;
const price = (v: unknown) => (v === null || v === undefined ? undefined : tenThousandthsFrom(String(v)));

async function loadSnapshot(database: Database): Promise<Snapshot> {
  const s = emptySnapshot();
  for (const r of await database.query<Row>(
    `select institution_id, valid_from::text, valid_to::text, name, type, level, ownership, area, beds,
            designated_from::text, designated_to::text, zero_markup from institutions`,
  )) {
    s.institutions.add(String(r.institution_id), {
      validFrom: String(r.valid_from),
      validTo: str(r.valid_to),
      record: {
        institutionId: String(r.institution_id),
        name: String(r.name),
        type: r.type as InstitutionRef['type'],
        level: r.level as InstitutionRef['level'],
        ownership: r.ownership as InstitutionRef['ownership'],
        area: String(r.area),
        beds: Number(r.beds),
        designatedFrom: String(r.designated_from),
        designatedTo: str(r.designated_to),
        ...((r.zero_markup as unknown) === true || r.zero_markup === 't' ? { zeroMarkup: true } : {}),
      },
    });
  }
  for (const r of await database.query<Row>(
    `select item_code, valid_from::text, valid_to::text, name, category, unit, price_ceiling_primary::text as p1,
            price_ceiling_secondary::text as p2, price_ceiling_tertiary::text as p3, restrictions from catalogue_items`,
  )) {
    s.items.add(String(r.item_code), {
      validFrom: String(r.valid_from),
      validTo: str(r.valid_to),
      record: {
        itemCode: String(r.item_code),
        name: String(r.name),
        category: r.category as CatalogueItemRef['category'],
        unit: String(r.unit),
        priceCeiling: { primary: price(r.p1), secondary: price(r.p2), tertiary: price(r.p3) },
        restrictions: json(r.restrictions) as Restrictions,
      },
    });
  }
  for (const r of await database.query<Row>(`select kind, main_code, sub_code, "window", valid_from::text, valid_to::text, source from item_relations`)) {
    addRelation(s, {
      validFrom: String(r.valid_from),
      validTo: str(r.valid_to),
      record: { kind: r.kind as RelationRef['kind'], mainCode: String(r.main_code), subCode: String(r.sub_code), window: str(r.window) as RelationRef['window'], source: String(r.source) },
    });
  }
  for (const r of await database.query<Row>('select item_code, valid_from::text, valid_to::text, allowed, excluded from item_indications')) {
    const list = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as string[];
    s.indications.add(String(r.item_code), { validFrom: String(r.valid_from), validTo: str(r.valid_to), record: { allowed: list(r.allowed), excluded: list(r.excluded) } });
  }
  for (const r of await database.query<Row>('select item_code, valid_from::text, valid_to::text, exam_group, window_days from exam_recognition')) {
    addExam(s, String(r.item_code), { validFrom: String(r.valid_from), validTo: str(r.valid_to) }, str(r.exam_group), Number(r.window_days));
  }
  for (const r of await database.query<Row>('select institution_id, valid_from::text, valid_to::text, categories, visit_types, departments from service_scopes')) {
    const list = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as never[];
    s.scopes.add(String(r.institution_id), {
      validFrom: String(r.valid_from),
      validTo: str(r.valid_to),
      record: { categories: list(r.categories), visitTypes: list(r.visit_types), departments: list(r.departments) },
    });
  }
  for (const r of await database.query<Row>('select doctor_id, valid_from::text, valid_to::text, institution_id, outpatient_per_day, admissions_per_day from doctors')) {
    const n = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));
    s.doctors.add(String(r.doctor_id), {
      validFrom: String(r.valid_from),
      validTo: str(r.valid_to),
      record: { doctorId: String(r.doctor_id), institutionId: String(r.institution_id), outpatientPerDay: n(r.outpatient_per_day), admissionsPerDay: n(r.admissions_per_day) },
    });
  }
  for (const r of await database.query<Row>('select item_code, name, restrictions from national_item_limits order by source')) {
    addItemLimit(s, String(r.item_code), String(r.name), json(r.restrictions) as Restrictions);
  }
  for (const r of await database.query<Row>('select generic_name, restrictions from national_drug_limits order by source')) {
    addDrugLimit(s, String(r.generic_name), json(r.restrictions) as Restrictions);
  }
  return sealSnapshot(s);
}

/** A relation, indexed by its main item (or package) and by its sub-item (or part). */
export function addRelation(s: Snapshot, entry: Versioned<RelationRef>) {
  s.relations.add(entry.record.mainCode, entry);
  s.relationsBySub.add(entry.record.subCode, entry);
}

/** An item of the exam mutual-recognition list: its group (the item code when it names none) and window. */
export function addExam(s: Snapshot, itemCode: string, validity: { validFrom: string; validTo?: string | undefined }, group: string | undefined, windowDays: number) {
  s.exams.add(itemCode, { ...validity, record: { group: group ?? itemCode, windowDays } });
}

/** A national list's limits of an item code; a code listed by several lists gets all their limits. */
export function addItemLimit(s: Snapshot, itemCode: string, name: string, restrictions: Restrictions) {
  const prev = s.itemLimits.get(itemCode);
  s.itemLimits.set(itemCode, { name, restrictions: { ...prev?.restrictions, ...restrictions } });
}

/** A national list's limits of a drug, by generic name. */
export function addDrugLimit(s: Snapshot, genericName: string, restrictions: Restrictions) {
  s.drugLimits.set(genericName, { ...s.drugLimits.get(genericName), ...restrictions });
}

export function sealSnapshot(s: Snapshot): Snapshot {
  s.institutions.seal();
  s.items.seal();
  s.relations.seal();
  s.relationsBySub.seal();
  s.indications.seal();
  s.exams.seal();
  s.scopes.seal();
  s.doctors.seal();
  return s;
}
