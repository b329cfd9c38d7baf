import type { SimItem } from './types.js';

/**
 * Exams of the fund's mutual-recognition list (检查检验结果互认) that only the exam-repeat
 * injection and its look-alikes bill, so a repeat in the simulated world is always a labelled one
 * or a look-alike. Codes by the national rule of 15-digit service codes ('00' + 9-digit price-item
 * code + '0000'): 磁共振平扫 210400001, 癌胚抗原测定 250403002.
 */
const I = (item: SimItem) => item;

export const RECOGNISED = {
  mri: I({ code: '002104000010000', name: '磁共振平扫', category: 'exam', unit: '部位', ceilingFen: 45000, source: 'structure' }),
  cea: I({ code: '002504030020000', name: '癌胚抗原测定', category: 'lab', unit: '次', ceilingFen: 3500, source: 'structure' }),
};

/** each recognised exam's window in days (the list loaded as reference kind exam-recognition) */
export const RECOGNITION_WINDOW_DAYS: ReadonlyMap<string, number> = new Map([
  [RECOGNISED.mri.code, 30],
  [RECOGNISED.cea.code, 7],
]);
