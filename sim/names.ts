import type { SimInstitution, SimItem } from './types.js';

/** Plausible, invented names: institutions, the institutions' own item codes, and goods billed as drugs. */

const AREA_NAMES: Record<string, string> = {
  '320102': '玄武',
  '320104': '秦淮',
  '320105': '建邺',
  '320106': '鼓楼',
  '320111': '浦口',
  '320113': '栖霞',
  '320114': '雨花台',
  '320115': '江宁',
};

const STREETS = ['新街口', '梅园', '红山', '孝陵卫', '玄武门', '锁金村', '兴隆', '沙洲', '江心洲', '湖熟', '淳化', '汤山', '桥林', '永宁'];
const BRANDS = ['仁和', '康德', '济世', '百信', '恒春', '益民'];
const PRIVATE_HOSPITALS = ['仁济', '康华', '博爱', '和顺', '安康', '济民', '华康'];

export function institutionName(type: SimInstitution['type'], level: SimInstitution['level'], ownership: SimInstitution['ownership'], area: string, i: number): string {
  const a = AREA_NAMES[area] ?? area;
  const nth = Math.floor(i / 7) > 0 ? `${Math.floor(i / 7) + 1}` : '';
  if (type === 'pharmacy') return `${BRANDS[i % BRANDS.length]}大药房(${a}${i + 1}店)`;
  if (type === 'clinic') {
    if (ownership === 'private') return `${a}${STREETS[i % STREETS.length]}惠民诊所`;
    return `${a}区${STREETS[i % STREETS.length]}${nth}社区卫生服务中心`;
  }
  if (ownership === 'private') return `${a}${PRIVATE_HOSPITALS[i % PRIVATE_HOSPITALS.length]}${nth}医院`;
  if (level === 'tertiary') return `${a}区${['人民医院', '中医医院', '第二人民医院'][i % 3]}${nth ? `(${nth}院区)` : ''}`;
  if (level === 'secondary') return `${a}区${['第三人民医院', '妇幼保健院', '中西医结合医院', '第四人民医院'][i % 4]}${nth}`;
  return `${a}区${STREETS[i % STREETS.length]}医院`;
}

/** An institution's own code for a catalogue item: its price list's section and a number. */
export function hospitalItemCode(item: SimItem, index: number): string {
  const section = item.category === 'drug' ? 'YP' : item.category === 'consumable' ? 'HC' : 'ZL';
  return `${section}${String(index + 1).padStart(5, '0')}`;
}

/** The name an institution prints: the catalogue's, sometimes with the specification appended. */
export function hospitalItemName(item: SimItem, variant: number): string {
  if (item.spec && variant % 4 === 0) return `${item.name}(${item.spec})`;
  return item.name;
}

/** Goods that pharmacies and clinics are caught selling on insurance under a drug's code. */
export const NON_MEDICAL_GOODS = ['玻尿酸补水面膜', '电动牙刷', '蛋白粉(营养补充剂)', '洗发水', '保健枕', '即食燕窝', '护手霜', '大米(5kg)'];
