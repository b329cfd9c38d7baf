/**
 * Why a reviewer refuses a line or part of it (docs/review-money.md). A fixed
 * list: the report and the trail carry the code, the page shows the label in its language. The
 * codes follow the deduction reasons of Chinese medical-insurance review (医保审核扣款原因) and
 * the claim-item rejection reasons of openIMIS.
 */
export const REFUSAL_CODES = ['over-quantity', 'over-price', 'duplicate', 'unbundled', 'substituted', 'not-indicated', 'not-covered', 'not-rendered', 'records', 'other'] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export const REFUSAL_LABELS: Record<RefusalCode, { zh: string; en: string }> = {
  'over-quantity': { zh: '超量（超出必要或限定的数量）', en: 'quantity beyond what was needed or allowed' },
  'over-price': { zh: '超标准收费', en: 'unit price above the standard' },
  duplicate: { zh: '重复收费', en: 'charged twice' },
  unbundled: { zh: '分解收费', en: 'split from an item that includes it' },
  substituted: { zh: '串换项目', en: 'billed as another (dearer) item' },
  'not-indicated': { zh: '无指征或超适应症', en: 'not indicated or outside the approved indications' },
  'not-covered': { zh: '非医保支付范围', en: 'not covered by the fund' },
  'not-rendered': { zh: '虚记费用（未提供）', en: 'not rendered' },
  records: { zh: '病历资料不支持', en: 'not supported by the medical records' },
  other: { zh: '其他（见依据）', en: 'other (see the basis)' },
};

export const refusalLabel = (code: string, lang: 'zh' | 'en') => REFUSAL_LABELS[code as RefusalCode]?.[lang] ?? code;
