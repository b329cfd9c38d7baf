import { compareSubmission, type Claim, type ClaimLine } from '../claim.js';
import type { ReferenceView } from '../reference.js';

/**
 * A person's dispensings of one drug, from the claim screened and the person's other claims in its
 * history (any institution): one per claim, at the time of the claim's first line of the drug,
 * with the days of supply its quantity makes by the catalogue's dose (quantity × packUnits ÷
 * dailyDose). Stays are not dispensings (a drug given on the ward is not taken home), so only
 * outpatient and pharmacy claims count. Only claims up to the one screened, in service order (ties:
 * the one submitted first), count for it: a claim is judged against what the person held when it
 * was dispensed, whichever arrived first.
 */
export interface Dispensing {
  claim: Claim;
  at: number;
  lines: ClaimLine[];
  /** days of supply (may be fractional); 0 when the item has no dose in the catalogue */
  days: number;
  quantity: number;
}

const DAY = 86_400_000;
export const DAY_MS = DAY;

/** The days of supply of a quantity (×10^4) of an item by its catalogue dose, or undefined without one. */
export function supplyDays(ref: ReferenceView, itemCode: string, date: string, quantity: number): number | undefined {
  const r = ref.item(itemCode, date)?.restrictions;
  if (!r || r.dailyDose === undefined || r.packUnits === undefined || r.dailyDose <= 0) return undefined;
  return ((quantity / 10_000) * r.packUnits) / r.dailyDose;
}

export const dispensed = (c: Claim) => c.visitType !== 'inpatient';

function dispensingOf(c: Claim, itemCode: string, ref: ReferenceView): Dispensing | undefined {
  let lines: ClaimLine[] | undefined;
  let at = Infinity;
  let quantity = 0;
  for (const l of c.lines) {
    if (l.itemCode !== itemCode || l.category !== 'drug') continue;
    (lines ??= []).push(l);
    quantity += l.quantity;
    if (l.serviceAt < at) at = l.serviceAt;
  }
  if (!lines || quantity <= 0) return undefined;
  const days = supplyDays(ref, itemCode, lines[0]!.serviceDate, quantity) ?? 0;
  return { claim: c, at, lines, days, quantity };
}

/** The drug codes of the claim's drug lines, in line order, each once. */
export function drugCodes(c: Claim): string[] {
  const codes: string[] = [];
  for (const l of c.lines) if (l.category === 'drug' && !codes.includes(l.itemCode)) codes.push(l.itemCode);
  return codes;
}

/**
 * The dispensings of the drug from `since` (epoch ms) up to and including the claim screened,
 * oldest first; the last one is the screened claim's (undefined when it dispenses none).
 */
export function dispensingsUpTo(c: Claim, personClaims: readonly Claim[], itemCode: string, since: number, ref: ReferenceView): Dispensing[] | undefined {
  const own = dispensingOf(c, itemCode, ref);
  if (!own) return undefined;
  const out: Dispensing[] = [];
  for (const other of personClaims) {
    if (!dispensed(other) || other.endedAt < since || other.startedAt > c.endedAt) continue;
    const d = dispensingOf(other, itemCode, ref);
    if (!d || d.at < since) continue;
    if (d.at > own.at || (d.at === own.at && compareSubmission(other, c) > 0)) continue;
    out.push(d);
  }
  out.sort((a, b) => a.at - b.at || compareSubmission(a.claim, b.claim));
  out.push(own);
  return out;
}

/** Days as a reviewer reads them: one decimal, no trailing ".0". */
export const days1 = (d: number) => String(Math.round(d * 10) / 10);
