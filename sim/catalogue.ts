import { formatFen } from '../src/lib/money.js';
import type { CatalogueItemRecord, InstitutionRecord, ItemIndicationRecord, ItemRelationRecord } from '../src/reference/reference.schema.js';
import { CONSUMABLES, DRUGS } from './catalogue-drugs.js';
import { EXAMS, LABS, OPERATIONS, SERVICES } from './catalogue-services.js';
import { RECOGNISED } from './catalogue-recognised.js';
import type { SimItem } from './types.js';

/** The built-in catalogue as one list, its price ceilings per level, and the relations between items. */
export const ITEMS: readonly SimItem[] = [
  ...Object.values(SERVICES),
  ...Object.values(LABS),
  ...Object.values(EXAMS),
  ...Object.values(OPERATIONS),
  ...Object.values(DRUGS),
  ...Object.values(CONSUMABLES),
  ...Object.values(RECOGNISED),
];

export const ITEM_BY_CODE: ReadonlyMap<string, SimItem> = new Map(ITEMS.map((i) => [i.code, i]));

export const CATALOGUE_VALID_FROM = '2020-01-01';

/** Service prices step down with the level (regional price lists do); goods cost the same everywhere. */
const LEVEL_PERCENT = { tertiary: 100, secondary: 90, primary: 80 } as const;

export function ceilingFen(item: SimItem, level: InstitutionRecord['level']): number {
  if (item.category === 'drug' || item.category === 'consumable') return item.ceilingFen;
  const pct = LEVEL_PERCENT[level === 'none' ? 'primary' : level];
  return Math.round((item.ceilingFen * pct) / 100);
}

/** 进销存 covers goods: drugs and consumables are bought and stocked, services are not. */
export const isStockTracked = (item: SimItem) => item.category === 'drug' || item.category === 'consumable';

export interface Relation {
  kind: 'includes' | 'package';
  main: SimItem;
  sub: SimItem;
  window?: ItemRelationRecord['window'];
  source: string;
  note?: string;
}

const batch7 = (main: SimItem, sub: SimItem, window: NonNullable<ItemRelationRecord['window']>, note: string): Relation => ({
  kind: 'includes',
  main,
  sub,
  window,
  source: 'nhsa-batch7',
  note,
});

/** Pairs taken from batch 7 (item duplicate charge), each with its window, plus one package. */
export const RELATIONS: readonly Relation[] = [
  batch7(LABS.stoolRoutine, LABS.stoolParasite, 'same_day', '指手工操作；含外观、镜检'),
  batch7(LABS.ogtt, LABS.glucose, 'same_day', '含5次血糖测定；包括口服和静脉'),
  batch7(OPERATIONS.stent, OPERATIONS.angiography, 'same_day', '含术前的靶血管造影'),
  batch7(OPERATIONS.delivery, EXAMS.fetalHeart, 'six_hours', '含产程观察、胎心监测及脐带处理'),
  batch7(OPERATIONS.delivery, OPERATIONS.vaginalTearRepair, 'same_visit', '含会阴裂伤修补及侧切'),
  batch7(SERVICES.invasiveBp, SERVICES.ecgMonitor, 'same_hour', '含心电、压力连续示波'),
  ...[LABS.potassium, LABS.sodium, LABS.chloride, LABS.calcium].map((part): Relation => ({
    kind: 'package',
    main: LABS.electrolytePanel,
    sub: part,
    source: 'sim-package',
    note: '组合项目，不得拆分收费',
  })),
];

export const INCLUDES = RELATIONS.filter((r) => r.kind === 'includes');
export const PACKAGE_PARTS: ReadonlyMap<string, SimItem[]> = RELATIONS.filter((r) => r.kind === 'package').reduce(
  (m, r) => m.set(r.main.code, [...(m.get(r.main.code) ?? []), r.sub]),
  new Map<string, SimItem[]>(),
);

export function catalogueRecords(): CatalogueItemRecord[] {
  return ITEMS.map((item) => ({
    itemCode: item.code,
    name: item.name,
    category: item.category,
    unit: item.unit,
    priceCeiling: {
      primary: formatFen(ceilingFen(item, 'primary')),
      secondary: formatFen(ceilingFen(item, 'secondary')),
      tertiary: formatFen(ceilingFen(item, 'tertiary')),
    },
    restrictions: item.restrictions ?? {},
    validFrom: CATALOGUE_VALID_FROM,
  }));
}

export function relationRecords(): ItemRelationRecord[] {
  return RELATIONS.map((r) => ({
    kind: r.kind,
    mainCode: r.main.code,
    subCode: r.sub.code,
    ...(r.window ? { window: r.window } : {}),
    source: r.source,
    ...(r.note ? { note: r.note } : {}),
    validFrom: CATALOGUE_VALID_FROM,
  }));
}

/**
 * The fund's indications (适应症) of a few chronic drugs, in the reference kind item-indications:
 * ICD-10 prefixes the drug is paid for. Every honest profile that bills one carries a diagnosis
 * among them (sim/profiles-*.ts); the injection 'no-indication' bills one without.
 */
export const INDICATIONS: readonly { item: SimItem; allowed: readonly string[] }[] = [
  { item: DRUGS.metformin, allowed: ['E10', 'E11', 'E13', 'E14', 'O24', 'R73', 'E28.2'] },
  { item: DRUGS.insulin, allowed: ['E10', 'E11', 'E13', 'E14', 'O24'] },
  { item: DRUGS.nifedipine, allowed: ['I10', 'I11', 'I12', 'I13', 'I15', 'I20', 'I25'] },
];
export const INDICATIONS_BY_CODE = new Map(INDICATIONS.map((i) => [i.item.code, i.allowed]));

export function indicationRecords(): ItemIndicationRecord[] {
  return INDICATIONS.map((i) => ({ itemCode: i.item.code, allowed: [...i.allowed], excluded: [], source: 'sim-indications', validFrom: CATALOGUE_VALID_FROM }));
}
