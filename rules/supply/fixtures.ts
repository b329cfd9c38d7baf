import { claim, item, reference } from '../fixtures/build.js';

/** Fixtures shared by the supply rules. */
export const NIFEDIPINE = 'XC08CAN059A010010100005';
/** 30 tablets a box, 2 a day: a box is 15 days */
export const dosedReference = (over: { prescriptionOnly?: boolean } = {}) =>
  reference({
    items: [
      item({ itemCode: NIFEDIPINE, name: '硝苯地平缓释片', category: 'drug', unit: '盒', restrictions: { dailyDose: 2, packUnits: 30, ...over } }),
      item({ itemCode: 'OTC1', name: '维生素C片', category: 'drug', unit: '瓶' }),
    ],
  });
/** a pharmacy purchase of `boxes` boxes of nifedipine */
export const purchase = (claimNo: string, when: string, boxes: number, institutionId = 'Y1', itemCode = NIFEDIPINE) =>
  claim({
    institutionId,
    claimNo,
    visitType: 'pharmacy',
    visit: when,
    settledAt: undefined,
    lines: [{ itemCode, at: when, category: 'drug', quantity: boxes * 10_000, unitPrice: 150_000, doctorId: 'DR1' }],
  });
