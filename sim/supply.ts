import type { DraftClaim } from './draft.js';
import type { ClaimRef } from './types.js';

/**
 * Over-supply (超量开药) as it arises, in arrival order as the service sees claims: a person's
 * supply of a drug with a daily dose (quantity × packUnits ÷ dailyDose), carried from one
 * outpatient or pharmacy dispensing to the next less the days between, beyond 1.5 × the larger of
 * the new dispensing's days and 30 (the regulation's reading SUPPLY-ROLLING's defaults take).
 * The injections 'over-supply' label their own claims; this labels the same pattern where another
 * injection makes it (a days-of-supply line of three months, a drug added without indication, a
 * resubmitted copy of a month's supply), so the truth is the world's and not only the plan's. The
 * person book keeps clean refills apart enough that it never arises in a clean world.
 */
const DAY = 86_400_000;
const LOOKBACK = 90 * DAY;
const RATIO = 1.5;
const BASE_DAYS = 30;

interface Dispensing {
  at: number;
  days: number;
  ref: ClaimRef;
}

export class SupplyTracker {
  private readonly byKey = new Map<string, Dispensing[]>();

  label(d: DraftClaim) {
    if (d.plan.kind === 'inpatient') return;
    const drugs = new Map<string, { lines: string[]; days: number; at: number }>();
    for (const l of d.lines) {
      const r = l.item.restrictions;
      if (l.item.category !== 'drug' || r?.dailyDose === undefined || r.packUnits === undefined || l.quantity <= 0) continue;
      const e = drugs.get(l.item.code) ?? { lines: [], days: 0, at: Infinity };
      e.lines.push(l.lineId);
      e.days += ((l.quantity / 10_000) * r.packUnits) / r.dailyDose;
      e.at = Math.min(e.at, l.at);
      drugs.set(l.item.code, e);
    }
    const lines: string[] = [];
    const others = new Map<string, ClaimRef>();
    const ref = { institutionId: d.inst.id, claimId: d.plan.claimId };
    for (const [code, own] of drugs) {
      const key = `${d.plan.person.id}|${code}`;
      const list = (this.byKey.get(key) ?? []).filter((x) => x.at >= own.at - LOOKBACK);
      const earlier = list.filter((x) => x.at <= own.at).sort((a, b) => a.at - b.at);
      let held = 0;
      let from: ClaimRef[] = [];
      for (let i = 0; i < earlier.length; i++) {
        const next = earlier[i + 1]?.at ?? own.at;
        held += earlier[i]!.days;
        from.push(earlier[i]!.ref);
        held -= (next - earlier[i]!.at) / DAY;
        if (held <= 0) {
          held = 0;
          from = [];
        }
      }
      if (held > 0 && held + own.days > RATIO * Math.max(own.days, BASE_DAYS) + 1e-9) {
        lines.push(...own.lines);
        for (const f of from) others.set(`${f.institutionId}|${f.claimId}`, f);
      }
      list.push({ at: own.at, days: own.days, ref });
      this.byKey.set(key, list);
    }
    if (lines.length > 0 && !d.truths.some((t) => t.variant === 'over-supply')) d.label({ family: 'over-supply', variant: 'over-supply', lines, otherClaims: [...others.values()] });
  }
}
