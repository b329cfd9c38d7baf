/**
 * Realistic inpatient claims for the intake benchmark: 8 to 12 fee lines drawn from a small
 * catalogue of common items (bed, nursing, drugs, labs, exams, consumables), amounts that add up,
 * dates within the last few months. Bodies are prebuilt as JSON text with the claim id and the
 * insured person's id left out, so each request costs one string concatenation: `fillClaim`.
 */

export interface Item {
  code: string;
  hcode: string;
  name: string;
  category: 'drug' | 'consumable' | 'service' | 'bed' | 'nursing' | 'exam' | 'lab';
  priceFen: number;
  perDay?: boolean;
  spec?: string;
}

export const ITEMS: Item[] = [
  { code: '110200005', hcode: 'ZC01', name: '住院诊查费', category: 'service', priceFen: 2000, perDay: true },
  { code: '120100001', hcode: 'CW01', name: '床位费(三人间)', category: 'bed', priceFen: 4500, perDay: true },
  { code: '121200002', hcode: 'HL02', name: '二级护理', category: 'nursing', priceFen: 2600, perDay: true },
  { code: '250101015', hcode: 'JY15', name: '血细胞分析(五分类)', category: 'lab', priceFen: 2500 },
  { code: '250305001', hcode: 'JY31', name: 'C反应蛋白测定', category: 'lab', priceFen: 3000 },
  { code: '250401001', hcode: 'JY40', name: '肝功能检测', category: 'lab', priceFen: 6800 },
  { code: '210103017', hcode: 'FS17', name: '胸部正侧位摄影(DR)', category: 'exam', priceFen: 9000 },
  { code: '210300001', hcode: 'CT01', name: '胸部CT平扫', category: 'exam', priceFen: 24000 },
  { code: '120400002', hcode: 'ZS02', name: '静脉输液(第一组)', category: 'service', priceFen: 1200, perDay: true },
  { code: 'XJ01DDA040A001010100001', hcode: 'YP88', name: '注射用头孢曲松钠', category: 'drug', priceFen: 1234, perDay: true, spec: '1g' },
  { code: 'XB05BBA010B002010100001', hcode: 'YP12', name: '氯化钠注射液', category: 'drug', priceFen: 350, perDay: true, spec: '250ml' },
  { code: 'XR05CBA017A001010100001', hcode: 'YP30', name: '氨溴索注射液', category: 'drug', priceFen: 856, perDay: true, spec: '15mg' },
  { code: 'C14010100100001', hcode: 'HC01', name: '一次性输液器', category: 'consumable', priceFen: 280, perDay: true },
  { code: 'C14020200300002', hcode: 'HC07', name: '一次性静脉留置针', category: 'consumable', priceFen: 1650 },
];

const INSTITUTIONS = 8;
const institutionId = (i: number) => `H3201020000${i}`;

/**
 * Reference data the claims meet: the institutions are designated (1 to 6 tertiary, 7 and 8
 * secondary) and every item is in the catalogue at its price, except that a chest CT is capped
 * at 200.00 in secondary hospitals: claims with one there are withheld 40.00 (PRICE-ABOVE-CEILING),
 * about one in five, so findings are written too.
 */
export function referenceSeed({ stock = false }: { stock?: boolean } = {}): { text: string; params: unknown[] }[] {
  const rows: { text: string; params: unknown[] }[] = [];
  if (stock) {
    // Ample stock of every drug in every institution for the months the claims fall in: nothing
    // is withheld, but the stock rule now needs each drug's month-to-date quantity, a sum over the
    // institution's lines of that drug in the month, which grows as the run stores claims.
    const now = Date.now();
    const months = [...new Set([0, 31, 62, 93, 124].map((d) => new Date(now + CST - d * DAY).toISOString().slice(0, 7)))];
    for (let i = 1; i <= INSTITUTIONS; i++)
      for (const item of ITEMS.filter((x) => x.category === 'drug'))
        for (const month of months)
          rows.push({
            text: `insert into stock_records (institution_id, item_code, month, opening_quantity, purchased_quantity) values ($1, $2, $3, 1000000, 1000000)`,
            params: [institutionId(i), item.code, month],
          });
  }
  for (let i = 1; i <= INSTITUTIONS; i++) {
    rows.push({
      text: `insert into institutions (institution_id, valid_from, name, type, level, ownership, area, beds, designated_from)
             values ($1, '2000-01-01', $2, 'hospital', $3, 'public', '320102', 800, '2010-01-01')`,
      params: [institutionId(i), `南京市第${i}医院`, i <= 6 ? 'tertiary' : 'secondary'],
    });
  }
  for (const item of ITEMS) {
    const price = money(item.priceFen);
    rows.push({
      text: `insert into catalogue_items (item_code, valid_from, name, category, unit, price_ceiling_primary, price_ceiling_secondary, price_ceiling_tertiary)
             values ($1, '2000-01-01', $2, $3, '次', $4, $5, $4)`,
      params: [item.code, item.name, item.category, price, item.hcode === 'CT01' ? '200.00' : price],
    });
  }
  return rows;
}

const DIAGNOSES = [
  { code: 'J18.900', name: '肺炎' },
  { code: 'J44.100', name: '慢性阻塞性肺疾病伴急性加重' },
  { code: 'J20.900', name: '急性支气管炎' },
  { code: 'I10.x00', name: '高血压' },
];

const DAY = 86_400_000;
const CST = 8 * 3_600_000;

/** yyyy-MM-dd HH:mm:ss in China Standard Time, the national platform's spelling */
const cst = (ms: number) => new Date(ms + CST).toISOString().slice(0, 19).replace('T', ' ');
const money = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** One claim without its claim id and person id (the benchmark adds them per request). */
export function buildClaim(seed: number, now = Date.now()) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
  const days = 2 + Math.floor(r() * 6);
  const admitted = now - (10 + Math.floor(r() * 80)) * DAY - (now % DAY) + Math.floor(r() * 12) * 3_600_000;
  const discharged = admitted + days * DAY + 2 * 3_600_000;
  const born = Date.UTC(1940 + Math.floor(r() * 60), Math.floor(r() * 12), 1 + Math.floor(r() * 28));

  const count = 8 + Math.floor(r() * 5);
  const chosen = [...ITEMS].sort(() => r() - 0.5).slice(0, count);
  let totalFen = 0;
  const lines = chosen.map((item, i) => {
    const qty = item.perDay ? days : 1 + Math.floor(r() * 2);
    const amount = item.priceFen * qty;
    totalFen += amount;
    return {
      lineId: `L${i + 1}`,
      itemCode: item.code,
      hospitalItemCode: item.hcode,
      hospitalItemName: item.name,
      category: item.category,
      serviceAt: cst(admitted + Math.floor(r() * days) * DAY + 3_600_000),
      quantity: qty,
      unitPrice: money(item.priceFen),
      amount: money(amount),
      ...(item.spec ? { specification: item.spec, daysOfSupply: 1 } : {}),
      doctorId: `D${100 + Math.floor(r() * 40)}`,
      departmentCode: 'A03.06',
      departmentName: '呼吸内科',
    };
  });
  const fund = Math.floor(totalFen * 0.7);
  const account = Math.floor(totalFen * 0.1);
  const diagnosis = pick(DIAGNOSES);
  return {
    insured: { sex: r() < 0.5 ? 'male' : 'female', birthDate: new Date(born).toISOString().slice(0, 10) },
    institutionId: institutionId(1 + Math.floor(r() * INSTITUTIONS)),
    visitType: 'inpatient',
    medType: '21',
    admittedAt: cst(admitted),
    dischargedAt: cst(discharged),
    settledAt: cst(discharged + 3_600_000),
    departmentCode: 'A03.06',
    diagnoses: [{ code: diagnosis.code, name: diagnosis.name, main: true }],
    lines,
    totalAmount: money(totalFen),
    payment: { fund: money(fund), personalAccount: money(account), medicalAssistance: '0.00', cash: money(totalFen - fund - account) },
  };
}

/** JSON text of `count` different claims, each waiting for its claim id and person id. */
export function claimTemplates(count: number): string[] {
  const now = Date.now();
  // `{"insured":{"sex":...` without its first 12 characters: `"sex":...`
  return Array.from({ length: count }, (_, i) => JSON.stringify(buildClaim(i + 1, now)).slice(12));
}

/** A claim body from a template: `{"claimId":<claimId>,"insured":{"id":<personId>,"sex":...` */
export const fillClaim = (template: string, claimId: string, personId: string) => `{"claimId":${JSON.stringify(claimId)},"insured":{"id":${JSON.stringify(personId)},${template}`;
