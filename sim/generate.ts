import { materialize } from './build.js';
import type { DraftClaim } from './draft.js';
import { MinHeap } from './heap.js';
import { dayNo } from './person-book.js';
import type { VisitPlan } from './plan.js';
import { dayStartMs } from './plan-draw.js';
import { Planner } from './planner.js';
import { ShortageTracker } from './stock.js';
import { SupplyTracker } from './supply.js';
import { CensusTracker } from './census.js';
import { VariantChooser } from './variants.js';
import type { World } from './world.js';

/** Days planned before the period so that stays running into its first days are already there. */
const WARM_UP_DAYS = 50;

/**
 * Plans day by day and releases claims in arrival order. After day d is planned nothing can
 * arrive before midnight ending day d (every plan arrives after its own start, and companions
 * lie in the future), so everything in the heap arriving before then is final and goes out.
 * Memory holds the plans in flight (stays not yet discharged, late claims), never the output.
 */
export function* runDrafts(world: World, shortages: ReadonlyMap<string, number> = new Map()): Generator<DraftClaim> {
  const heap = new MinHeap<VisitPlan>((a, b) => a.arrival < b.arrival || (a.arrival === b.arrival && a.seq < b.seq));
  const chooser = new VariantChooser();
  const planner = new Planner(world, chooser, (plan) => heap.push(plan));
  const tracker = new ShortageTracker(shortages);
  const supply = new SupplyTracker();
  const census = new CensusTracker();
  const release = (plan: VisitPlan) => {
    const draft = materialize(plan, world.seed, chooser);
    tracker.label(draft);
    supply.label(draft);
    census.label(draft);
    return draft;
  };
  const first = dayNo(world.period.start) - WARM_UP_DAYS;
  const last = dayNo(world.period.end - 1);
  for (let day = first; day <= last; day++) {
    planner.planDay(day);
    const horizon = dayStartMs(day + 1);
    while ((heap.peek()?.arrival ?? Infinity) < horizon) yield release(heap.pop() as VisitPlan);
  }
  while (heap.size > 0) yield release(heap.pop() as VisitPlan);
}
