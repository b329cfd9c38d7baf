/**
 * How alike an institution's own item name is to a catalogue name, from 0 to 1.
 *
 * Chinese item names have no spaces, and word segmentation would need a dictionary the rules must
 * not load; but nearly every Chinese medical term is built of two-character words (阿莫|西林,
 * 床位|费), so character bigrams approximate shared words without segmentation, and the Dice
 * coefficient over them (2·shared / total) tolerates insertions and reordering. Before comparing,
 * NFKC folds full-width letters, digits and brackets; numbers with their units (0.25g, 24粒) and
 * all punctuation go; a name is tried with and without its bracketed parts (a brand in brackets,
 * or a qualifier like (单人间) that helps), and the better pair counts.
 *
 * Two measures, for two questions:
 * - `nameSimilarity` (is this the same item at all?) also drops generic words (一次性使用, 医用,
 *   注射用) and one dosage-form suffix (注射液, 肠溶片, 胶囊 …), so that two drugs sharing only their
 *   form do not look half alike (参麦注射液 against 丹参注射液: 0.5 on the full names, 0 on 参麦 against
 *   丹参), and a name containing the other whole (an added brand or specification) scores 1.
 * - `nameCloseness` (which of two look-alikes is it?) keeps the form and gives no containment
 *   shortcut, because a different form or an added ingredient is exactly what tells a dearer
 *   look-alike from the cheaper item (甲钴胺注射液 against 甲钴胺片).
 */
const FORMS = [
  '注射液',
  '注射剂',
  '粉针剂',
  '软胶囊',
  '肠溶胶囊',
  '缓释胶囊',
  '胶囊',
  '颗粒剂',
  '颗粒',
  '口服溶液',
  '口服液',
  '肠溶片',
  '缓释片',
  '控释片',
  '分散片',
  '咀嚼片',
  '泡腾片',
  '含片',
  '薄膜衣片',
  '片',
  '滴丸',
  '水丸',
  '蜜丸',
  '丸',
  '软膏',
  '乳膏',
  '凝胶',
  '滴眼液',
  '滴耳液',
  '滴鼻液',
  '气雾剂',
  '喷雾剂',
  '栓',
  '贴剂',
  '贴膏',
  '混悬液',
  '溶液',
  '糖浆',
  '合剂',
  '酊',
  '散',
].sort((a, b) => b.length - a.length);
const GENERIC_PREFIXES = ['一次性使用', '一次性', '医用', '注射用'];

const NUMBER_WITH_UNIT = /\d+(?:\.\d+)?\s*(?:mg|g|kg|μg|ug|ml|l|iu|u|%|cm|mm|粒|片|支|袋|盒|瓶|丸|贴|枚|个|张|只)?/g;
const BRACKETED = /\([^)]*\)|\[[^\]]*\]|\{[^}]*\}|【[^】]*】|〔[^〕]*〕/g;

const letters = (s: string) => s.replace(NUMBER_WITH_UNIT, '').replace(/[^\p{L}]/gu, '');

/** The forms a name is compared in: NFKC, lower case, with and without its bracketed parts. */
function variants(name: string, withoutBrackets = true): string[] {
  const s = name.normalize('NFKC').toLowerCase();
  const full = letters(s);
  const bare = withoutBrackets ? letters(s.replace(BRACKETED, '')) : full;
  return [...new Set([full, bare])].filter((v) => v !== '');
}

/** Drops generic prefixes and one dosage-form suffix, keeping at least two characters. */
function core(s: string): string {
  for (const p of GENERIC_PREFIXES) if (s.startsWith(p) && s.length - p.length >= 2) s = s.slice(p.length);
  const form = FORMS.find((f) => s.endsWith(f) && s.length - f.length >= 2);
  return form ? s.slice(0, -form.length) : s;
}

function bigrams(s: string): Map<string, number> {
  const grams = new Map<string, number>();
  const chars = [...s];
  if (chars.length === 1) grams.set(s, 1);
  for (let i = 0; i + 1 < chars.length; i++) {
    const g = chars[i]! + chars[i + 1]!;
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  return grams;
}

/** Dice coefficient over character bigrams (multiset). */
export function dice(x: string, y: string): number {
  const gx = bigrams(x),
    gy = bigrams(y);
  let shared = 0,
    total = 0;
  for (const [g, n] of gx) {
    shared += Math.min(n, gy.get(g) ?? 0);
    total += n;
  }
  for (const n of gy.values()) total += n;
  return total === 0 ? 0 : (2 * shared) / total;
}

function best(a: string, b: string, measure: (x: string, y: string) => number, bareB = true): number | undefined {
  const va = variants(a),
    vb = variants(b, bareB);
  if (va.length === 0 || vb.length === 0) return undefined;
  return Math.max(...va.flatMap((x) => vb.map((y) => measure(x, y))));
}

/**
 * Results by name pair. Institutions send the same few names for an item on every claim, and
 * normalising and comparing costs tens of microseconds a line, so each pair is computed once.
 * A pure function's memo, not state: bounded, and cleared whole when full.
 */
function memo(fn: (a: string, b: string) => number | undefined, max = 100_000) {
  // by the first name, then the second: two lookups by the claim's own strings (their hashes are
  // kept on them), no key string concatenated and hashed on every line; a pair with no result is
  // kept as NO_RESULT, so a pair seen before costs one lookup in each map, not a `has` and a `get`
  const cache = new Map<string, Map<string, number>>();
  let size = 0;
  // the last pair asked for: the lines of one item mostly follow one another with the same names
  let lastA: string | undefined;
  let lastB: string | undefined;
  let last: number | undefined;
  return (a: string, b: string): number | undefined => {
    if (a === lastA && b === lastB) return last;
    let byB = cache.get(a);
    let v = byB?.get(b);
    if (v === undefined) {
      if (size >= max) {
        cache.clear();
        size = 0;
        byB = undefined;
      }
      if (!byB) cache.set(a, (byB = new Map()));
      v = fn(a, b) ?? NO_RESULT;
      byB.set(b, v);
      size++;
    }
    lastA = a;
    lastB = b;
    last = v === NO_RESULT ? undefined : v;
    return last;
  };
}
// not a similarity (those are 0–1): a pair whose names have no letters
const NO_RESULT = -1;

/** Is it the same item at all: form-blind, containment counts as a match. Undefined when a name has no letters. */
export const nameSimilarity = memo((a: string, b: string): number | undefined =>
  best(a, b, (x, y) => {
    const [cx, cy] = [core(x), core(y)];
    const [short, long] = cx.length <= cy.length ? [cx, cy] : [cy, cx];
    return [...short].length >= 2 && long.includes(short) ? 1 : dice(cx, cy);
  }),
);

/**
 * Which look-alike it is: forms kept, no containment shortcut, and the catalogue name (second)
 * always whole, because its bracketed qualifier, (单人间) or (色谱法), is what tells two items apart.
 */
export const nameCloseness = memo((institutionName: string, catalogueName: string): number | undefined => best(institutionName, catalogueName, dice, false));

/** A similarity as a reviewer reads it. */
export const score = (s: number) => s.toFixed(2);
