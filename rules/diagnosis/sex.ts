import { z } from 'zod';
import type { Rule, RuleFixtures } from '../engine.js';
import { claim } from '../fixtures/build.js';
import { icdCategory, icdPrefix, list } from '../params.js';
import { diagnosesIn, diagnosisList, wholeClaimHit, yuan } from './icd.js';

export interface DiagnosisSexParams {
  /** categories only a woman can have: pregnancy and childbirth, female genital organs */
  femaleOnly: string[];
  /** categories only a man can have: male genital organs */
  maleOnly: string[];
  /** diagnoses under which the sex on record may not be the body's (disorders of sex development, gender dysphoria): no finding */
  exceptWhenDiagnosis: string[];
}

const SEX_ZH = { male: '男', female: '女' } as const;
const key = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');

/**
 * A diagnosis the insured person's sex cannot have: a man's claim diagnosed with a pregnancy or
 * a disease of the female genital organs, a woman's with one of the prostate or testis. Either the
 * card was used for someone else (冒名就医: a wife's visit on her husband's card) or the diagnosis
 * was made up; the claim goes to review (high), the whole claim standing on the diagnosis.
 */
export const diagnosisSex: Rule<DiagnosisSexParams> = {
  id: 'DX-SEX',
  version: 1,
  family: 'diagnosis-conflict',
  severity: 'high',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '诊断与参保人性别矛盾 (如男性诊断妊娠或女性生殖器疾病, 女性诊断前列腺疾病): 疑似冒名就医或虚构诊断, 转人工审核',
    en: 'A diagnosis the person’s sex cannot have (a man with a pregnancy or a female genital disease, a woman with a prostate disease): possible impersonation or a made-up diagnosis, for review',
  },
  effectiveFrom: '2000-01-01',
  defaults: {
    femaleOnly: ['O00-O99', 'N70-N98', 'C51-C58', 'D25-D28', 'D39', 'Z32-Z37', 'Z39'],
    maleOnly: ['N40-N51', 'C60-C63', 'D29', 'D40'],
    exceptWhenDiagnosis: ['Q56', 'Q96', 'Q97', 'Q98', 'Q99', 'E34.5', 'F64'],
  },
  paramSchema: z.object({ femaleOnly: list(icdCategory(), 200), maleOnly: list(icdCategory(), 200), exceptWhenDiagnosis: list(icdPrefix(), 200) }).strict(),
  evaluate({ claim: c, params: p }) {
    if (c.diagnoses.length === 0) return [];
    const other = c.sex === 'male' ? 'female' : 'male';
    const wrong = diagnosesIn(c, other === 'female' ? p.femaleOnly : p.maleOnly);
    if (wrong.length === 0) return [];
    if (c.diagnoses.some((d) => p.exceptWhenDiagnosis.some((k) => key(d.code).startsWith(key(k))))) return [];
    const total = c.lines.reduce((s, l) => s + l.amountFen, 0);
    return [
      wholeClaimHit(c, {
        zh: `诊断 ${diagnosisList(wrong)} 仅见于${SEX_ZH[other]}性, 参保人登记为${SEX_ZH[c.sex]}性; 全部 ${c.lines.length} 行 ${yuan(total)} 元转人工审核`,
        en: `Diagnosis ${diagnosisList(wrong)} occurs only in ${other} patients; the person is recorded as ${c.sex}; all ${c.lines.length} lines, ${yuan(total)} yuan, for review`,
      }),
    ];
  },
  fixtures,
};

function fixtures(): RuleFixtures<DiagnosisSexParams> {
  const visit = (sex: 'male' | 'female', ...codes: string[]) =>
    claim({
      sex,
      visit: '2026-10-04 09:00',
      diagnoses: codes.map((code, i) => ({ code, main: i === 0 })),
      lines: [
        { itemCode: 'V', at: '2026-10-04 09:00' },
        { itemCode: 'D', at: '2026-10-04 09:30', amountFen: 4200 },
      ],
    });
  return {
    fires: [
      { name: 'a man diagnosed with acute vaginitis (N76.000)', claim: visit('male', 'N76.000'), expect: { hits: 1, violatingLines: ['L1', 'L2'], amountFen: 5200 } },
      { name: 'a man with supervision of a normal pregnancy (Z34.900) as a secondary diagnosis', claim: visit('male', 'I10.x00', 'Z34.900'), expect: { hits: 1 } },
      { name: 'a woman diagnosed with acute prostatitis (N41.000)', claim: visit('female', 'N41.000'), expect: { hits: 1, amountFen: 5200 } },
      { name: 'a woman with a malignant neoplasm of the prostate (C61)', claim: visit('female', 'C61'), expect: { hits: 1 } },
    ],
    passes: [
      { name: 'a woman with acute vaginitis', claim: visit('female', 'N76.000') },
      { name: 'a man with prostatitis', claim: visit('male', 'N41.000') },
      { name: 'a man with a disease of the male breast (N62: not sex-specific)', claim: visit('male', 'N62') },
      { name: 'a man with a pregnancy diagnosis and a disorder of sex development (Q56.1)', claim: visit('male', 'Z34.900', 'Q56.1') },
      { name: 'a pharmacy purchase without a diagnosis', claim: claim({ sex: 'male', visitType: 'pharmacy', lines: [{ itemCode: 'D', at: '2026-10-04 09:00' }] }) },
    ],
  };
}
