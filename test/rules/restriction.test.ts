import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Claim } from '../../rules/claim.js';
import { evaluateRules, type AnyRule } from '../../rules/engine.js';
import { claim, hospital, item, reference } from '../../rules/fixtures/build.js';
import type { CatalogueItemRef, InstitutionLevel, Restrictions } from '../../rules/reference.js';
import { ageOn, ageRestriction } from '../../rules/restriction/age.js';
import { careSettingRestriction } from '../../rules/restriction/care-setting.js';
import { institutionLevelRestriction } from '../../rules/restriction/institution-level.js';
import { sexRestriction } from '../../rules/restriction/sex.js';
import { readNationalFile } from '../../src/national-lists/load.js';
import type { NationalFile } from '../../src/national-lists/parse.js';

/** The real national lists, read where the project keeps them: never copied into the repository. */
const DIR = fileURLToPath(new URL('../../../shared/data/nhsa-two-libraries/', import.meta.url));

function run(rule: AnyRule, c: Claim, items: CatalogueItemRef[], level: InstitutionLevel = 'secondary') {
  const type = level === 'none' ? 'pharmacy' : 'hospital';
  const { findings, errors } = evaluateRules([rule], { claim: c, reference: reference({ institutions: [hospital({ level, type })], items }), serviceDate: c.lines[0]!.serviceDate });
  expect(errors).toEqual([]);
  return findings;
}

/** Every entry of the lists as a catalogue item: code-keyed entries under their code, drugs under their generic name. */
function catalogueOf(files: NationalFile[]): CatalogueItemRef[] {
  const byCode = new Map<string, CatalogueItemRef>();
  for (const file of files) {
    const parsed = readNationalFile(DIR, file);
    for (const i of parsed.items ?? []) byCode.set(i.itemCode, item({ itemCode: i.itemCode, name: i.name, restrictions: i.restrictions as Restrictions }));
    for (const [n, d] of (parsed.drugs ?? []).entries())
      byCode.set(`DRUG-${file}-${n}`, item({ itemCode: `DRUG-${file}-${n}`, name: d.genericName, category: 'drug', restrictions: d.restrictions as Restrictions }));
  }
  return [...byCode.values()];
}

const billing = (items: CatalogueItemRef[], over: Partial<Parameters<typeof claim>[0]> = {}) =>
  claim({ lines: items.map((i) => ({ itemCode: i.itemCode, at: '2026-10-04 10:00', amountFen: 100 })), ...over });

describe.skipIf(!existsSync(DIR))('restriction rules over the real national lists', () => {
  it('RESTRICT-SEX: every one of the 871 sex-restricted items and drugs, for the other sex only', () => {
    const items = catalogueOf(['batch1-item-sex.csv', 'batch1-drug-sex.csv']);
    expect(items.length).toBeGreaterThan(800);
    for (const sex of ['male', 'female'] as const) {
      const theirs = items.filter((i) => i.restrictions.sex !== sex);
      const hits = run(sexRestriction, billing(items, { sex }), items);
      expect(hits).toHaveLength(theirs.length);
      expect(hits.every((h) => h.severity === 'violation' && h.violatingLines.length === 1)).toBe(true);
      expect(hits.reduce((s, h) => s + h.amountFen, 0)).toBe(theirs.length * 100);
    }
  });

  it('RESTRICT-AGE: children’s, infants’ and neonates’ items and drugs, the day before and on the birthday past the group', () => {
    const items = catalogueOf(['batch1-item-age.csv', 'batch1-drug-age.csv']);
    expect(items.length).toBeGreaterThan(300);
    for (const max of [0, 2, 17]) {
      const group = items.filter((i) => i.restrictions.maxAgeYears === max);
      expect(group.length).toBeGreaterThan(0);
      const lastDay = billing(group, { birthDate: `${2026 - max - 1}-10-05` }); // max years old on 2026-10-04
      const birthday = billing(group, { birthDate: `${2026 - max - 1}-10-04` }); // max + 1 that day
      expect(run(ageRestriction, lastDay, group)).toEqual([]);
      expect(run(ageRestriction, birthday, group)).toHaveLength(group.length);
    }
  });

  it('RESTRICT-CARE-SETTING: the inpatient-only drugs outside a stay', () => {
    const items = catalogueOf(['batch4-drug-care-setting.csv']);
    expect(items.length).toBe(35);
    expect(run(careSettingRestriction, billing(items, { visit: '2026-10-04 09:00' }), items)).toHaveLength(35);
    expect(run(careSettingRestriction, billing(items, { visitType: 'pharmacy' }), items)).toHaveLength(35);
    expect(run(careSettingRestriction, billing(items, { admitted: '2026-10-03 09:00', discharged: '2026-10-06 09:00' }), items)).toEqual([]);
    const emergency = run(careSettingRestriction, billing(items, { visit: '2026-10-04 09:00', medType: '13' }), items);
    expect(emergency.map((h) => h.severity)).toEqual(Array(35).fill('high'));
  });

  it('RESTRICT-INSTITUTION-LEVEL: secondary- and tertiary-only drugs below their level', () => {
    const items = catalogueOf(['batch5-drug-institution-level.csv']);
    const tertiary = items.filter((i) => i.restrictions.minInstitutionLevel === 'tertiary').length;
    expect(items.length).toBe(61);
    expect(run(institutionLevelRestriction, billing(items), items, 'none')).toHaveLength(61);
    expect(run(institutionLevelRestriction, billing(items), items, 'primary')).toHaveLength(61);
    expect(run(institutionLevelRestriction, billing(items), items, 'secondary')).toHaveLength(tertiary);
    expect(run(institutionLevelRestriction, billing(items), items, 'tertiary')).toEqual([]);
  });
});

describe('severity by circumstance', () => {
  const anastrozole = item({ itemCode: 'XL02BGA001A001010100', name: '阿那曲唑片', category: 'drug', restrictions: { sex: 'female' } });
  it('RESTRICT-SEX sends a man’s breast-cancer drug to review when he has breast cancer, and withholds it otherwise', () => {
    const forMan = (dx: string) => claim({ sex: 'male', diagnoses: [{ code: dx, main: true }], lines: [{ itemCode: anastrozole.itemCode, at: '2026-10-04 10:00' }] });
    expect(run(sexRestriction, forMan('C50.9'), [anastrozole]).map((h) => h.severity)).toEqual(['high']);
    expect(run(sexRestriction, forMan('I10'), [anastrozole]).map((h) => h.severity)).toEqual(['violation']);
  });

  it('ageOn counts whole years from the birth date, a 29 February birthday falling on 1 March', () => {
    expect(ageOn('2008-10-04', '2026-10-03')).toBe(17);
    expect(ageOn('2008-10-04', '2026-10-04')).toBe(18);
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
    expect(ageOn('2008-02-29', '2028-02-29')).toBe(20);
  });
});
