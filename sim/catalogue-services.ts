import type { SimItem } from './types.js';

/**
 * Medical-service items of the built-in catalogue. Codes are national 15-digit service codes:
 * `list` items are taken from the NHSA rule batches in ../shared/data/nhsa-two-libraries (the
 * restriction beside them is the one that list states); `structure` items are common services
 * that no batch names, coded by the national rule that maps the 2012 price-item code to 15 digits
 * ('00' + 9-digit code + '0000'), as 住院诊查费 110200005 → 001102000050000 in batch 8-1.
 * Ceilings are tertiary-level prices in fen; lower levels get a share (see catalogue.ts).
 */
const I = (item: SimItem) => item;

export const SERVICES = {
  outpatientVisit: I({ code: '001102000010000', name: '普通门诊诊查费', category: 'service', unit: '次', ceilingFen: 1000, source: 'structure' }),
  inpatientVisit: I({ code: '001102000050000', name: '住院诊查费', category: 'service', unit: '日', ceilingFen: 2000, restrictions: { unitsPerDay: 1 }, source: 'list' }),
  wardBed: I({ code: '001109000010000', name: '普通病房床位费', category: 'bed', unit: '日', ceilingFen: 5000, restrictions: { unitsPerDay: 1 }, source: 'list' }),
  singleRoomBed: I({
    code: '001109000010100',
    name: '普通病房床位费(单人间)',
    category: 'bed',
    unit: '日',
    ceilingFen: 15000,
    restrictions: { unitsPerDay: 1, lookAlikeOf: ['001109000010000'] },
    source: 'list',
  }),
  monitorBed: I({ code: '001109000030000', name: '监护病房床位费', category: 'bed', unit: '日', ceilingFen: 12000, restrictions: { unitsPerDay: 1 }, source: 'list' }),
  heating: I({ code: '001107000010000', name: '病房取暖费', category: 'bed', unit: '日', ceilingFen: 500, restrictions: { unitsPerDay: 1 }, source: 'list' }),
  cooling: I({ code: '001108000010000', name: '病房空调降温费', category: 'bed', unit: '日', ceilingFen: 500, restrictions: { unitsPerDay: 1 }, source: 'list' }),
  nursing1: I({ code: '001201000030000', name: 'Ⅰ级护理', category: 'nursing', unit: '日', ceilingFen: 3000, restrictions: { unitsPerDay: 1 }, source: 'list' }),
  nursing2: I({ code: '001201000040000', name: 'Ⅱ级护理', category: 'nursing', unit: '日', ceilingFen: 2000, restrictions: { unitsPerDay: 1 }, source: 'list' }),
  infusion: I({ code: '001204000060000', name: '静脉输液', category: 'service', unit: '次', ceilingFen: 600, source: 'structure' }),
  childInfusion: I({ code: '001204000070000', name: '小儿头皮静脉输液', category: 'service', unit: '次', ceilingFen: 1000, restrictions: { maxAgeYears: 14 }, source: 'list' }),
  injection: I({ code: '001204000010000', name: '肌肉注射', category: 'service', unit: '次', ceilingFen: 300, source: 'structure' }),
  ecgMonitor: I({ code: '003107010220000', name: '心电监测', category: 'exam', unit: '小时', ceilingFen: 400, restrictions: { unitsPerDay: 24 }, source: 'list' }),
  pulseOximetry: I({ code: '003107010270000', name: '指脉氧监测', category: 'exam', unit: '小时', ceilingFen: 200, restrictions: { unitsPerDay: 24 }, source: 'list' }),
  invasiveBp: I({ code: '003107020020000', name: '持续有创性血压监测', category: 'exam', unit: '小时', ceilingFen: 600, restrictions: { unitsPerDay: 24 }, source: 'list' }),
  externalFixator: I({ code: '004200000100000', name: '外固定架使用', category: 'service', unit: '日', ceilingFen: 1500, restrictions: { unitsPerDay: 1 }, source: 'list' }),
  childMassage: I({ code: '004500000100000', name: '小儿捏脊治疗', category: 'service', unit: '次', ceilingFen: 2000, restrictions: { maxAgeYears: 14 }, source: 'list' }),
};

export const LABS = {
  bloodCount: I({ code: '002501010150000', name: '血细胞分析', category: 'lab', unit: '次', ceilingFen: 2000, source: 'structure' }),
  stoolRoutine: I({ code: '002501030010000', name: '粪便常规', category: 'lab', unit: '次', ceilingFen: 500, source: 'list' }),
  stoolParasite: I({ code: '002506010010000', name: '粪寄生虫镜检', category: 'lab', unit: '次', ceilingFen: 600, source: 'list' }),
  glucose: I({ code: '002503020010000', name: '葡萄糖测定', category: 'lab', unit: '次', ceilingFen: 500, source: 'list' }),
  hba1c: I({ code: '002503020030000', name: '糖化血红蛋白测定', category: 'lab', unit: '次', ceilingFen: 5000, restrictions: { timesPerCycle: { times: 1, cycleDays: 15 } }, source: 'list' }),
  ogtt: I({ code: '003102050010100', name: '葡萄糖耐量试验(口服)', category: 'lab', unit: '次', ceilingFen: 4000, source: 'list' }),
  insulinLevel: I({ code: '002503100390000', name: '血清胰岛素测定', category: 'lab', unit: '次', ceilingFen: 3000, source: 'list' }),
  potassium: I({ code: '002503040010000', name: '钾测定', category: 'lab', unit: '次', ceilingFen: 600, source: 'list' }),
  sodium: I({ code: '002503040020000', name: '钠测定', category: 'lab', unit: '次', ceilingFen: 600, source: 'list' }),
  chloride: I({ code: '002503040030000', name: '氯测定', category: 'lab', unit: '次', ceilingFen: 600, source: 'list' }),
  calcium: I({ code: '002503040040000', name: '钙测定', category: 'lab', unit: '次', ceilingFen: 600, source: 'list' }),
  // A provincial combination item (组合项目): no national list names packages, so its code is made up.
  electrolytePanel: I({ code: 'TC002503040001', name: '电解质四项', category: 'lab', unit: '次', ceilingFen: 1500, source: 'made-up' }),
  vaginalSecretion: I({ code: '002501040140000', name: '阴道分泌物检查', category: 'lab', unit: '次', ceilingFen: 1000, restrictions: { sex: 'female' }, source: 'list' }),
  prostaticFluid: I({ code: '002501040130000', name: '前列腺液常规检查', category: 'lab', unit: '次', ceilingFen: 1000, restrictions: { sex: 'male' }, source: 'list' }),
  pregnancyTest: I({ code: '002501020210000', name: '尿妊娠试验', category: 'lab', unit: '次', ceilingFen: 800, restrictions: { sex: 'female' }, source: 'list' }),
};

export const EXAMS = {
  ecg: I({ code: '003107010010000', name: '常规心电图检查', category: 'exam', unit: '次', ceilingFen: 2500, source: 'structure' }),
  fluoroscopy: I({ code: '002101010010000', name: '普通透视', category: 'exam', unit: '次', ceilingFen: 1000, source: 'list' }),
  ct: I({ code: '002103000010000', name: 'X线计算机体层(CT)平扫', category: 'exam', unit: '部位', ceilingFen: 15000, source: 'structure' }),
  transvaginalUltrasound: I({ code: '002202020010000', name: '经阴道B超检查', category: 'exam', unit: '次', ceilingFen: 6000, restrictions: { sex: 'female' }, source: 'list' }),
  fetalHeart: I({ code: '003112010260000', name: '胎心监测', category: 'exam', unit: '次', ceilingFen: 1500, source: 'list' }),
};

export const OPERATIONS = {
  appendectomy: I({ code: '003310030220000', name: '阑尾切除术', category: 'operation', unit: '次', ceilingFen: 90000, source: 'list' }),
  stent: I({ code: '003205000030000', name: '经皮冠状动脉内支架置入术(STENT)', category: 'operation', unit: '次', ceilingFen: 350000, source: 'list' }),
  angiography: I({ code: '003205000010000', name: '冠状动脉造影术', category: 'operation', unit: '次', ceilingFen: 150000, source: 'list' }),
  delivery: I({ code: '003314000020000', name: '单胎顺产接生', category: 'operation', unit: '次', ceilingFen: 80000, source: 'list' }),
  vaginalTearRepair: I({ code: '003313040020000', name: '阴道裂伤缝合术', category: 'operation', unit: '次', ceilingFen: 20000, source: 'list' }),
};
