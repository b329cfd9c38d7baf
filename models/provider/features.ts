/**
 * The provider model's monthly features of one institution: what each is, its unit, and how a
 * reviewer reads its value. Values are plain numbers (yuan, days, shares in [0, 1]); a feature
 * that cannot be computed for the month (growth without an earlier month) is null.
 */
export type Unit = 'count' | 'yuan' | 'days' | 'share' | 'ratio' | 'growth';

export interface FeatureSpec {
  name: string;
  zh: string;
  en: string;
  unit: Unit;
}

export const FEATURES = [
  { name: 'claims', zh: '结算人次', en: 'claims', unit: 'count' },
  { name: 'patients', zh: '就诊人数', en: 'distinct patients', unit: 'count' },
  { name: 'admissions', zh: '住院人次', en: 'admissions', unit: 'count' },
  { name: 'costPerVisit', zh: '次均费用', en: 'cost per visit', unit: 'yuan' },
  { name: 'costPerInpatientDay', zh: '住院床日费用', en: 'cost per inpatient day', unit: 'yuan' },
  { name: 'meanStay', zh: '平均住院日', en: 'mean length of stay', unit: 'days' },
  { name: 'longStayShare', zh: '住院 30 天及以上占比', en: 'share of stays of 30 days or more', unit: 'share' },
  { name: 'shortStayShare', zh: '住院 1 天及以下占比', en: 'share of stays of 1 day or less', unit: 'share' },
  { name: 'readmission15Rate', zh: '15 天内再住院率', en: 'readmission within 15 days rate', unit: 'share' },
  { name: 'weekendAdmissionShare', zh: '周末入院占比', en: 'share of weekend admissions', unit: 'share' },
  { name: 'drugShare', zh: '药品费用占比', en: 'drug share of cost', unit: 'share' },
  { name: 'consumableShare', zh: '耗材费用占比', en: 'consumable share of cost', unit: 'share' },
  { name: 'ceilingPriceShare', zh: '按最高限价收费的项目占比', en: 'share of lines priced at the catalogue ceiling', unit: 'share' },
  { name: 'linesPerVisit', zh: '次均收费项目数', en: 'lines per visit', unit: 'ratio' },
  { name: 'patientsPerBed', zh: '床均住院人数', en: 'inpatients per bed', unit: 'ratio' },
  { name: 'ruleHitRate', zh: '规则命中率', en: 'rule-hit rate', unit: 'share' },
  { name: 'ruleHitAmountShare', zh: '规则命中金额占费用比例', en: 'rule-hit amount as a share of cost', unit: 'share' },
  { name: 'costGrowthMoM', zh: '费用环比增长', en: 'cost growth month on month', unit: 'growth' },
  { name: 'costGrowthYoY', zh: '费用同比增长', en: 'cost growth year on year', unit: 'growth' },
] as const satisfies readonly FeatureSpec[];

export type FeatureName = (typeof FEATURES)[number]['name'];
export const FEATURE_NAMES: readonly FeatureName[] = FEATURES.map((f) => f.name);
export const FEATURE_SPEC = new Map<string, FeatureSpec>(FEATURES.map((f) => [f.name, f]));

export type FeatureValues = Record<FeatureName, number | null>;

/** The fund's money at stake in one institution-month, in yuan. */
export interface Exposure {
  /** billed: total cost of the month's claims */
  cost: number;
  /** billed to the pooled fund (the claims' fund share) */
  fund: number;
  /** withheld by definite rule violations (cost − payable) */
  withheld: number;
  /** amount at issue in active rule findings (violations and suspicions; the provider model's own and lapses of designation left out) */
  flagged: number;
}

/** One institution's features for one month, with its peer group (type and level). */
export interface InstitutionMonth {
  institutionId: string;
  month: string;
  /** `${type}/${level}`, e.g. hospital/secondary */
  peerGroup: string;
  features: FeatureValues;
  /** money at stake; without it the targeting figure in yuan is not computed */
  exposure?: Exposure;
  /** claims with an active rule finding, per rule family (a claim counts once in each family it hit) */
  ruleFamilies?: Record<string, number>;
  /** claims with a finding of an active rule, and of an active rule or one in trial (the targeting evidence reads the latter) */
  ruleHits?: { claims: number; withTrial: number };
}

/** A value as a reviewer reads it, in each language. */
export function formatValue(unit: Unit, v: number | null): { zh: string; en: string } {
  if (v === null) return { zh: '无', en: 'n/a' };
  switch (unit) {
    case 'count':
      return { zh: `${Math.round(v)}`, en: `${Math.round(v)}` };
    case 'yuan':
      return { zh: `${v.toFixed(2)} 元`, en: `${v.toFixed(2)} yuan` };
    case 'days':
      return { zh: `${v.toFixed(1)} 天`, en: `${v.toFixed(1)} days` };
    case 'share':
      return { zh: `${(v * 100).toFixed(1)}%`, en: `${(v * 100).toFixed(1)}%` };
    case 'growth': {
      const pct = `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
      return { zh: pct, en: pct };
    }
    case 'ratio':
      return { zh: v.toFixed(2), en: v.toFixed(2) };
  }
}
