import type { RelationWindow, Restrictions } from '../../rules/reference.js';

/**
 * The NHSA "two libraries" batches, read from their published CSV shape into the service's
 * relations and restrictions. Code-keyed lists become item limits; drug lists, which name drugs
 * by generic name only, become drug limits matched on the catalogue item's name.
 */
export interface ItemLimit {
  itemCode: string;
  name: string;
  restrictions: Restrictions;
  note?: string;
}
export interface DrugLimit {
  genericName: string;
  restrictions: Restrictions;
  note?: string;
}
export interface Relation {
  mainCode: string;
  subCode: string;
  window: RelationWindow;
  note?: string;
}

type Row = string[];

const WINDOWS: Record<string, RelationWindow> = { 单日: 'same_day', 单次就诊: 'same_visit', '6小时': 'six_hours', 同一小时: 'same_hour' };
const SEX: Record<string, 'male' | 'female'> = { 男: 'male', 女: 'female' };
/** national age groups as the oldest age in whole years that still belongs to the group */
export const AGE_GROUP_MAX_YEARS: Record<string, number> = { 新生儿: 0, 婴幼儿: 2, 儿童: 17 };
const LEVEL: Record<string, 'secondary' | 'tertiary'> = { 二级: 'secondary', 三级: 'tertiary' };
const SETTING: Record<string, 'inpatient' | 'outpatient'> = { 住院: 'inpatient', 门诊: 'outpatient' };
/** "legal working age" of batch 8-2: the upper bound of statutory retirement, a parameter of the import */
export const WORKING_AGE_MAX_YEARS = 60;

const known = <T>(map: Record<string, T>, key: string | undefined, file: string): T => {
  const v = key === undefined ? undefined : map[key.trim()];
  if (v === undefined) throw new Error(`${file}: unknown value "${key}"`);
  return v;
};
const days = (text: string | undefined) => {
  const m = /(\d+)\s*天/.exec(text ?? '') ?? (/一年/.test(text ?? '') ? ['', '365'] : null);
  return m ? Number(m[1]) : undefined;
};
const code = (v: string | undefined) => (v ?? '').trim();

export const parsers = {
  'batch7-item-duplicate-charge.csv': (rows: Row[]) => ({
    relations: rows.map(([, window, , main, , sub, note]): Relation => ({
      mainCode: code(main),
      subCode: code(sub),
      window: known(WINDOWS, window, 'batch7'),
      note: note || undefined,
    })),
  }),
  'batch8-1-item-frequency.csv': (rows: Row[]) => ({
    // The limit is per day: "1 日"/"1 天" is once a day; "24 小时" is 24 hourly units a day.
    // A few published rows carry no limit: they state nothing to check and are skipped.
    items: rows.flatMap(([, name, limit, unit, c]): ItemLimit[] => {
      if (!limit?.trim() || !code(c)) return [];
      if (!['日', '天', '小时'].includes(unit?.trim() ?? '')) throw new Error(`batch8-1: unknown limit unit "${unit}"`);
      return [{ itemCode: code(c), name: name ?? '', restrictions: { unitsPerDay: Number(limit) }, note: `${limit}${unit}` }];
    }),
  }),
  'batch8-4-item-cycle.csv': (rows: Row[]) => ({
    items: rows.map(([, name, times, cycle, note, c]): ItemLimit => ({
      itemCode: code(c),
      name: name ?? '',
      restrictions: { timesPerCycle: { times: Number(times), cycleDays: Number(cycle) } },
      note,
    })),
  }),
  'batch8-3-item-course.csv': (rows: Row[]) => ({
    items: rows.flatMap(([, name, note, c]): ItemLimit[] => {
      const courseDays = days(note);
      return courseDays === undefined ? [] : [{ itemCode: code(c), name: name ?? '', restrictions: { courseDays }, note }];
    }),
  }),
  'batch8-2-item-age.csv': (rows: Row[]) => ({
    items: rows.map(([, name, note, c]): ItemLimit => ({ itemCode: code(c), name: name ?? '', restrictions: { maxAgeYears: WORKING_AGE_MAX_YEARS }, note })),
  }),
  'batch1-item-sex.csv': (rows: Row[]) => ({
    items: rows.map(([name, note, c, , sex]): ItemLimit => ({ itemCode: code(c), name: name ?? '', restrictions: { sex: known(SEX, sex, 'batch1-item-sex') }, note })),
  }),
  'batch1-item-age.csv': (rows: Row[]) => ({
    items: rows.map(([name, c, , group]): ItemLimit => ({
      itemCode: code(c),
      name: name ?? '',
      restrictions: { maxAgeYears: known(AGE_GROUP_MAX_YEARS, group, 'batch1-item-age') },
      note: group,
    })),
  }),
  'batch2-item-primary-secondary-operation.csv': (rows: Row[]) => ({
    items: rows.map(([name, note, c, , group]): ItemLimit => ({ itemCode: code(c), name: name ?? '', restrictions: { operationGroup: group }, note })),
  }),
  'batch1-drug-sex.csv': (rows: Row[]) => ({
    drugs: rows.map(([name, note, , sex]): DrugLimit => ({ genericName: (name ?? '').trim(), restrictions: { sex: known(SEX, sex, 'batch1-drug-sex') }, note })),
  }),
  'batch1-drug-age.csv': (rows: Row[]) => ({
    drugs: rows.map(([name, note, , group]): DrugLimit => ({
      genericName: (name ?? '').trim(),
      restrictions: { maxAgeYears: known(AGE_GROUP_MAX_YEARS, group, 'batch1-drug-age') },
      note,
    })),
  }),
  'batch3-drug-insurance-type.csv': (rows: Row[]) => ({
    drugs: rows.map(([name, note, , type]): DrugLimit => ({ genericName: (name ?? '').trim(), restrictions: { insuranceTypes: [(type ?? '').trim()] }, note })),
  }),
  'batch4-drug-care-setting.csv': (rows: Row[]) => ({
    drugs: rows.map(([name, note, , setting]): DrugLimit => ({
      genericName: (name ?? '').trim(),
      restrictions: { careSettings: [known(SETTING, setting, 'batch4')] },
      note,
    })),
  }),
  'batch5-drug-institution-level.csv': (rows: Row[]) => ({
    drugs: rows.map(([name, note, , level]): DrugLimit => ({
      genericName: (name ?? '').trim(),
      restrictions: { minInstitutionLevel: known(LEVEL, level, 'batch5') },
      note,
    })),
  }),
  'batch6-drug-payment-course.csv': (rows: Row[]) => ({
    drugs: rows.flatMap(([name, note, , course]): DrugLimit[] => {
      const courseDays = days(course);
      return courseDays === undefined ? [] : [{ genericName: (name ?? '').trim(), restrictions: { courseDays }, note }];
    }),
  }),
} satisfies Record<string, (rows: Row[]) => { relations?: Relation[]; items?: ItemLimit[]; drugs?: DrugLimit[] }>;

export type NationalFile = keyof typeof parsers;
export const NATIONAL_FILES = Object.keys(parsers) as NationalFile[];
