import type { SimItem } from './types.js';

/**
 * Drugs and consumables of the built-in catalogue. The national drug lists carry generic names
 * only, so the codes are invented in the national drug-code shape (X = western, Z = Chinese
 * patent medicine, then an ATC-like class, form, specification and maker) and the consumable
 * codes in the 20-character C-code shape. Where a shared list restricts a drug (sex, age, care
 * setting, institution level, course), the name is taken from that list with its restriction.
 * Drug ceilings are the same at every level (drugs are sold without markup).
 */
const D = (item: Omit<SimItem, 'category' | 'source'> & { source?: SimItem['source'] }): SimItem => ({ category: 'drug', source: 'made-up', ...item });
const acute = { maxDaysOfSupply: 7 };
const chronic = { maxDaysOfSupply: 30 };
/** prescription-only (处方药): a pharmacy sells it against a prescription (the line's doctorId) */
const rx = { prescriptionOnly: true };
/** the fund's daily dose and pack size (tablets a day, tablets a box): quantity × packUnits ÷ dailyDose is days of supply */
const dose = (dailyDose: number, packUnits: number) => ({ dailyDose, packUnits, ...rx });

export const DRUGS = {
  ceftriaxone: D({ code: 'XJ01DDA040A001010100001', name: '注射用头孢曲松钠', unit: '支', spec: '1g', ceilingFen: 1280 }),
  piperacillinTazobactam: D({ code: 'XJ01CRP102B001010100022', name: '注射用哌拉西林钠他唑巴坦钠', unit: '支', spec: '4.5g', ceilingFen: 3860 }),
  amoxicillin: D({ code: 'XJ01CAA038E001010100002', name: '阿莫西林胶囊', unit: '盒', spec: '0.25g×24粒', ceilingFen: 980, unitDays: 4, restrictions: { ...acute, ...rx } }),
  amoxiClav: D({
    code: 'XJ01CRA027A001010100003',
    name: '阿莫西林克拉维酸钾片',
    unit: '盒',
    spec: '0.375g×12片',
    ceilingFen: 3650,
    unitDays: 4,
    restrictions: { ...acute, ...rx, lookAlikeOf: ['XJ01CAA038E001010100002'] },
  }),
  levofloxacin: D({ code: 'XJ01MAL112A001010100004', name: '左氧氟沙星片', unit: '盒', spec: '0.5g×6片', ceilingFen: 1560, unitDays: 6, restrictions: { ...acute, ...rx } }),
  nifedipine: D({ code: 'XC08CAN059A010010100005', name: '硝苯地平缓释片', unit: '盒', spec: '20mg×30片', ceilingFen: 1800, unitDays: 15, restrictions: { ...chronic, ...dose(2, 30) } }),
  metformin: D({ code: 'XA10BAE046A001010100006', name: '盐酸二甲双胍片', unit: '盒', spec: '0.5g×48片', ceilingFen: 1200, unitDays: 16, restrictions: { ...chronic, ...dose(3, 48) } }),
  atorvastatin: D({ code: 'XC10AAA018A001010100007', name: '阿托伐他汀钙片', unit: '盒', spec: '20mg×7片', ceilingFen: 850, unitDays: 7, restrictions: { ...chronic, ...dose(1, 7) } }),
  aspirin: D({ code: 'XB01ACA056A012010100008', name: '阿司匹林肠溶片', unit: '盒', spec: '100mg×30片', ceilingFen: 1400, unitDays: 30, restrictions: { ...chronic, ...dose(1, 30) } }),
  omeprazole: D({ code: 'XA02BCA050E001010100009', name: '奥美拉唑肠溶胶囊', unit: '盒', spec: '20mg×14粒', ceilingFen: 720, unitDays: 7, restrictions: acute }),
  esomeprazole: D({
    code: 'XA02BCE016A012010100010',
    name: '艾司奥美拉唑镁肠溶片',
    unit: '盒',
    spec: '20mg×7片',
    ceilingFen: 5800,
    unitDays: 7,
    restrictions: { ...acute, lookAlikeOf: ['XA02BCA050E001010100009'] },
  }),
  ibuprofen: D({ code: 'XM01AEB031E005010100011', name: '布洛芬缓释胶囊', unit: '盒', spec: '0.3g×20粒', ceilingFen: 1150, unitDays: 10, restrictions: acute }),
  saline: D({ code: 'XB05BBA001B002010100012', name: '氯化钠注射液', unit: '袋', spec: '0.9% 250ml', ceilingFen: 320 }),
  dextrose: D({ code: 'XB05BAG046B002010100013', name: '葡萄糖注射液', unit: '袋', spec: '5% 250ml', ceilingFen: 350 }),
  insulin: D({ code: 'XA10ABA089B002010100014', name: '精蛋白生物合成人胰岛素注射液', unit: '支', spec: '3ml:300IU', ceilingFen: 4800, unitDays: 10, restrictions: { ...chronic, ...dose(30, 300) } }),
  ginkgoDipyridamole: D({
    code: 'ZA04FAY0128B002010100015',
    name: '银杏达莫注射液',
    unit: '支',
    spec: '5ml',
    ceilingFen: 980,
    source: 'list',
    restrictions: { careSettings: ['inpatient'], courseDays: 14 },
  }),
  salvia: D({ code: 'ZA06AAD0412B002010100016', name: '丹参注射液', unit: '支', spec: '10ml', ceilingFen: 650, source: 'list', restrictions: { minInstitutionLevel: 'secondary' } }),
  lianhua: D({ code: 'ZA01AAL0054E001010100017', name: '连花清瘟胶囊', unit: '盒', spec: '0.35g×24粒', ceilingFen: 1480, unitDays: 3, restrictions: acute }),
  childFever: D({ code: 'ZA01BAX0263G001010100018', name: '小儿豉翘清热颗粒', unit: '盒', spec: '2g×6袋', ceilingFen: 2600, unitDays: 3, source: 'list', restrictions: { ...acute, maxAgeYears: 14 } }),
  clotrimazole: D({ code: 'XG01AFK011A007010100019', name: '克霉唑阴道片', unit: '盒', spec: '0.5g×1片', ceilingFen: 890, unitDays: 7, source: 'list', restrictions: { ...acute, sex: 'female' } }),
  oxaliplatin: D({ code: 'XL01XAO065B005010100020', name: '注射用奥沙利铂', unit: '支', spec: '50mg', ceilingFen: 32000 }),
  furosemide: D({ code: 'XC03CAF029B002010100021', name: '呋塞米注射液', unit: '支', spec: '2ml:20mg', ceilingFen: 120 }),
};

const C = (item: Omit<SimItem, 'category' | 'source'>): SimItem => ({ category: 'consumable', source: 'made-up', ...item });

export const CONSUMABLES = {
  infusionSet: C({ code: 'C14010101200001002980', name: '一次性使用输液器', unit: '套', spec: '带针', ceilingFen: 350 }),
  cannula: C({ code: 'C14010201300002001730', name: '一次性使用静脉留置针', unit: '支', spec: '22G', ceilingFen: 1500 }),
  drugElutingStent: C({ code: 'C02030100300003007810', name: '冠状动脉药物洗脱支架系统', unit: '个', spec: '3.0×18mm', ceilingFen: 78000 }),
};
