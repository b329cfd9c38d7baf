import { cstMonth } from '../src/lib/time.js';
import type { StockRecordInput } from '../src/reference/reference.schema.js';
import { formatTenThousandths } from '../src/lib/money.js';
import { ITEM_BY_CODE, isStockTracked } from './catalogue.js';
import { purchasePriceOf, type DraftClaim } from './draft.js';
import { derive } from './random.js';
import type { World } from './world.js';

/**
 * Purchase and stock records (进销存). A first, silent pass over the claims measures what each
 * institution sells of each good in each month (by the line's CST service month: a stay across a
 * month end sells in both); stock is then set above that for honest pairs and below it for a few chosen
 * (institution, item, month) pairs: the substitution with false stock ledgers of the brief.
 */
const SCALE = 10_000;

export const usageKey = (institutionId: string, itemCode: string, month: string) => `${institutionId}|${itemCode}|${month}`;

/**
 * quantities (×10^4) of stock-tracked goods per institution, item and month; a line billed as a
 * dearer look-alike of what was handed out counts as the cheap item's (what the ledger shows),
 * and the dearer item's ledger of that month is left out (`unrecorded`)
 */
export function addUsage(usage: Map<string, number>, d: DraftClaim, unrecorded?: Set<string>) {
  for (const l of d.lines) {
    if (!isStockTracked(l.item)) continue;
    if (l.boughtAs && unrecorded) unrecorded.add(usageKey(d.inst.id, l.item.code, cstMonth(l.at)));
    const key = usageKey(d.inst.id, (l.boughtAs ?? l.item).code, cstMonth(l.at));
    usage.set(key, (usage.get(key) ?? 0) + l.quantity);
  }
}

export interface StockPlan {
  records: StockRecordInput[];
  /** (institution, dearer item, month) whose ledger is left out: a cheap look-alike was bought for it */
  unrecorded: ReadonlySet<string>;
  /** for the short pairs: what was in stock (×10^4); sales beyond it are the violation */
  shortages: Map<string, number>;
}

export function planStock(world: World, usage: ReadonlyMap<string, number>, unrecorded: ReadonlySet<string> = new Set()): StockPlan {
  // the cheap look-alikes bought for a dearer item billed: never also short (their surplus is the evidence)
  const cover = new Set(
    [...unrecorded].flatMap((k) => {
      const [inst, code, month] = k.split('|');
      return (ITEM_BY_CODE.get(code ?? '')?.restrictions?.lookAlikeOf ?? []).map((c) => usageKey(inst ?? '', c, month ?? ''));
    }),
  );
  const keys = [...usage.keys()].filter((k) => !unrecorded.has(k)).sort();
  const shortages = new Map<string, number>();
  if (!world.options.clean) {
    for (const month of new Set(keys.map((k) => k.split('|')[2] as string))) {
      // Short stock needs enough sales to be short of: at least 20 units in the month.
      const candidates = keys.filter((k) => k.endsWith(`|${month}`) && (usage.get(k) ?? 0) >= 20 * SCALE && !cover.has(k));
      const sellers = new Set(candidates.map((k) => k.split('|')[0])).size;
      const rng = derive(world.seed, 'stock-targets', month);
      for (let n = Math.max(1, Math.round(sellers * 0.08)); n > 0 && candidates.length > 0; n--) {
        const key = candidates.splice(rng.int(0, candidates.length - 1), 1)[0] as string;
        shortages.set(key, Math.floor(((usage.get(key) ?? 0) / SCALE) * (rng.int(55, 85) / 100)) * SCALE);
      }
    }
  }
  const records = keys.map((key): StockRecordInput => {
    const [institutionId = '', itemCode = '', month = ''] = key.split('|');
    const rng = derive(world.seed, 'stock', key);
    const sold = Math.ceil((usage.get(key) ?? 0) / SCALE);
    const total = shortages.has(key) ? (shortages.get(key) as number) / SCALE : Math.ceil((sold * rng.int(115, 160)) / 100) + rng.int(0, 20);
    const opening = Math.floor((total * rng.int(20, 50)) / 100);
    // the unit price paid, reported for drugs (zero markup judges drugs)
    const inst = world.institutions.find((i) => i.id === institutionId);
    const item = ITEM_BY_CODE.get(itemCode);
    const purchasePrice = inst && item?.category === 'drug' ? { purchasePrice: formatTenThousandths(purchasePriceOf(inst, item)) } : {};
    return { institutionId, itemCode, month, openingQuantity: String(opening), purchasedQuantity: String(total - opening), ...purchasePrice };
  });
  return { records, shortages, unrecorded };
}

/**
 * Lines of a dearer look-alike billed where its month's ledger is left out for a purchase
 * substitution: whatever else made them dearer, the ledger shows them never bought.
 */
export function labelUnrecorded(d: DraftClaim, unrecorded: ReadonlySet<string>) {
  if (unrecorded.size === 0) return;
  const labelled = new Set(d.truths.filter((t) => t.variant === 'lookalike-purchase').flatMap((t) => t.lines));
  const lines = d.lines.filter((l) => !labelled.has(l.lineId) && unrecorded.has(usageKey(d.inst.id, l.item.code, cstMonth(l.at)))).map((l) => l.lineId);
  if (lines.length > 0) d.label({ family: 'substitution', variant: 'lookalike-purchase', lines });
}

/** Counts sales of the short pairs in arrival order (a claim's lines in service order) and labels the lines sold beyond the stock. */
export class ShortageTracker {
  private readonly sold = new Map<string, number>();

  constructor(private readonly shortages: ReadonlyMap<string, number>) {}

  label(d: DraftClaim) {
    if (this.shortages.size === 0) return;
    const beyond = new Map<string, string[]>();
    for (const l of [...d.lines].sort((a, b) => a.at - b.at)) {
      const key = usageKey(d.inst.id, l.item.code, cstMonth(l.at));
      const limit = this.shortages.get(key);
      if (limit === undefined) continue;
      const total = (this.sold.get(key) ?? 0) + l.quantity;
      this.sold.set(key, total);
      if (total > limit) beyond.set(key, [...(beyond.get(key) ?? []), l.lineId]);
    }
    for (const lines of beyond.values()) d.label({ family: 'substitution', variant: 'stock-shortage', lines });
  }
}
