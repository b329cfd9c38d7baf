import type { Logger } from 'pino';
import {
  personAt,
  type CatalogueItemRef,
  type ExamRecognitionRef,
  type DoctorRef,
  type IndicationRef,
  type InstitutionRef,
  type PersonRef,
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
  /**
   * the catalogue's items with the national lists' limits of their code and generic name merged
   * in, version by version (sealSnapshot): what rules see of an item
   */
  mergedItems: VersionedIndex<CatalogueItemRef>;
  /** a code the national lists limit on a date the catalogue has no record of it: the lists' own record */
  listedOnly: Map<string, CatalogueItemRef>;
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
    view(stock: ReadonlyMap<string, StockRef> = NO_STOCK, person?: ClaimPerson, purchasePrices?: ReadonlyMap<string, number>): ReferenceView {
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
export function snapshotView(s: Snapshot, stock: ReadonlyMap<string, StockRef> = NO_STOCK, person?: ClaimPerson, purchasePrices?: ReadonlyMap<string, number>): ReferenceView {
  return new SnapshotView(s, stock, person, purchasePrices);
}

const NO_STOCK: ReadonlyMap<string, StockRef> = new Map();

/**
 * A claim's map keyed institution|item|month (its stocked items, or its last month's purchase
 * prices: a few entries, often none), read by item code: the claim's facts and several rules ask
 * once per line or group of lines, and a key string built and hashed per line, or every key
 * compared in place per line, cost more than the rest of the lookup. The entries of one
 * institution and month are put once, the first time they are asked for, into a map by item code
 * (the code cut out of the key), and each line's code is looked up there: the line's own string,
 * its hash computed once.
 */
class ByItemCode<T> {
  private institutionId: string | undefined;
  private month: string | undefined;
  private byCode: Map<string, T> | undefined;
  // a claim across a month end asks for two months, and may alternate: the other month's map, kept
  private otherInstitutionId: string | undefined;
  private otherMonth: string | undefined;
  private other: Map<string, T> | undefined;

  constructor(private readonly m: ReadonlyMap<string, T>) {}

  /** `m` has entries: the view makes one only then */
  get(institutionId: string, itemCode: string, month: string): T | undefined {
    if (month !== this.month || institutionId !== this.institutionId) {
      const back = month === this.otherMonth && institutionId === this.otherInstitutionId;
      const byCode = back ? this.other : byCodeOf(this.m, institutionId, month);
      this.other = this.byCode;
      this.otherMonth = this.month;
      this.otherInstitutionId = this.institutionId;
      this.byCode = byCode;
      this.month = month;
      this.institutionId = institutionId;
    }
    return this.byCode!.get(itemCode);
  }
}

/** the entries of `m` keyed institution|code|month for the institution and month, by code */
function byCodeOf<T>(m: ReadonlyMap<string, T>, institutionId: string, month: string): Map<string, T> {
  const out = new Map<string, T>();
  const codeAt = institutionId.length + 1;
  const least = codeAt + month.length + 1;
  for (const [key, value] of m) {
    if (key.length >= least && key.startsWith(institutionId) && key.endsWith(month) && key.charCodeAt(institutionId.length) === BAR && key.charCodeAt(key.length - month.length - 1) === BAR)
      out.set(key.slice(codeAt, key.length - month.length - 1), value);
  }
  return out;
}
const BAR = 0x7c; // '|'

/**
 * The view as one object with its methods on the prototype: a claim's view costs one allocation,
 * not a closure per lookup, and every claim's calls go to the same functions.
 */
class SnapshotView implements ReferenceView {
  // made on the first lookup in a map that has entries: a view whose claim has none allocates none
  private stocks: ByItemCode<StockRef> | undefined;
  private prices: ByItemCode<number> | undefined;

  constructor(
    private readonly s: Snapshot,
    private readonly stockMap: ReadonlyMap<string, StockRef>,
    private readonly claimPerson: ClaimPerson | undefined,
    private readonly purchasePrices: ReadonlyMap<string, number> | undefined,
  ) {}

  institution(id: string, date: string): InstitutionRef | undefined {
    return this.s.institutions.at(id, date);
  }

  item(code: string, date: string): CatalogueItemRef | undefined {
    return mergedItem(this.s, code, date);
  }

  relationsOfMain(code: string, date: string): readonly RelationRef[] {
    return this.s.relations.allAt(code, date);
  }

  relationsOfSub(code: string, date: string): readonly RelationRef[] {
    return this.s.relationsBySub.allAt(code, date);
  }

  stock(institutionId: string, itemCode: string, month: string): StockRef | undefined {
    if (this.stockMap.size === 0) return undefined;
    return (this.stocks ??= new ByItemCode(this.stockMap)).get(institutionId, itemCode, month);
  }

  hasStock(): boolean {
    return this.stockMap.size > 0;
  }

  catalogueSize(): number {
    return this.s.items.size;
  }

  purchasePrice(institutionId: string, itemCode: string, month: string): number | undefined {
    const prices = this.purchasePrices;
    return (
      this.stock(institutionId, itemCode, month)?.purchasePrice ??
      (prices === undefined || prices.size === 0 ? undefined : (this.prices ??= new ByItemCode(prices)).get(institutionId, itemCode, month))
    );
  }

  indications(code: string, date: string): IndicationRef | undefined {
    return this.s.indications.size === 0 ? undefined : this.s.indications.at(code, date);
  }

  examRecognition(code: string, date: string): ExamRecognitionRef | undefined {
    return this.s.exams.size === 0 ? undefined : this.s.exams.at(code, date);
  }

  serviceScope(id: string, date: string): ServiceScopeRef | undefined {
    return this.s.scopes.size === 0 ? undefined : this.s.scopes.at(id, date);
  }

  doctor(id: string, date: string): DoctorRef | undefined {
    return this.s.doctors.size === 0 ? undefined : this.s.doctors.at(id, date);
  }

  person(hash: string, date: string): PersonRef | undefined {
    const p = this.claimPerson;
    return p && p.versions.length > 0 && hash === p.personHash ? personAt(p.versions, date) : undefined;
  }
}

/**
 * The fund's catalogue record with the national lists' limits for its code and generic name merged
 * in; merged once per record of a snapshot when it is sealed (rules ask for the same items on every
 * claim), so a lookup is the catalogue's own: one by code, then the versions' dates.
 */
function mergedItem(s: Snapshot, code: string, date: string): CatalogueItemRef | undefined {
  return s.mergedItems.at(code, date) ?? (s.listedOnly.size === 0 ? undefined : s.listedOnly.get(code));
}

/** A catalogue record with the national lists' limits of its code and generic name merged in. */
function mergeItem(s: Snapshot, code: string, item: CatalogueItemRef): CatalogueItemRef {
  const byCode = s.itemLimits.get(code);
  const byName = s.drugLimits.get(item.name);
  if (!byCode && !byName) return item;
  return { ...item, restrictions: { ...byName, ...byCode?.restrictions, ...item.restrictions } };
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
    mergedItems: new VersionedIndex(),
    listedOnly: new Map(),
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
  s.mergedItems = s.items.map((item, code) => mergeItem(s, code, item));
  s.listedOnly = new Map();
  for (const [code, byCode] of s.itemLimits) s.listedOnly.set(code, { itemCode: code, name: byCode.name, category: 'service', unit: '次', priceCeiling: {}, restrictions: { ...byCode.restrictions } });
  return s;
}
