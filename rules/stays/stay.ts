import type { Claim, ClaimLine } from '../claim.js';
import type { History } from '../engine.js';
import type { ClaimRef } from '../finding.js';
import { cstDate } from '../dates.js';

/**
 * What the stay rules share: an inpatient stay's instants and CST calendar dates, day counts
 * between CST dates, and the person's other claims without this one.
 */
const DAY = 86_400_000;

/** The China Standard Time calendar date (yyyy-MM-dd) of an instant. */
export { cstDate };

/** Calendar days from date a to date b (both yyyy-MM-dd): 0 on the same day, 1 the next day. */
export const daysBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / DAY);

/** The dates from a to b inclusive. */
export function datesFrom(a: string, b: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(a), end = Date.parse(b); t <= end; t += DAY) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export interface Stay {
  claim: Claim;
  admittedAt: number;
  dischargedAt: number;
  admissionDate: string;
  dischargeDate: string;
}

/** An inpatient claim as a stay: admission and discharge, else the claim's start and end. */
export function stayOf(c: Claim): Stay | undefined {
  if (c.visitType !== 'inpatient') return undefined;
  const admittedAt = c.admittedAt ?? c.startedAt;
  const dischargedAt = Math.max(c.dischargedAt ?? c.endedAt, admittedAt);
  return { claim: c, admittedAt, dischargedAt, admissionDate: cstDate(admittedAt), dischargeDate: cstDate(dischargedAt) };
}

/** The person's other claims, each once, never this claim itself (a history may hold a resubmission of it). */
export function otherClaims(c: Claim, history: History): Claim[] {
  if (history.personClaims.length === 0) return [];
  const seen = new Set([`${c.institutionId}|${c.claimNo}`]);
  const out: Claim[] = [];
  for (const o of history.personClaims) {
    const key = `${o.institutionId}|${o.claimNo}`;
    if (o.personHash !== c.personHash || seen.has(key)) continue;
    seen.add(key);
    out.push(o);
  }
  return out;
}

/** A reference to another claim; `lines` only when that claim holds violating lines (it then gets the finding too). */
export const refTo = (c: Claim, lines?: readonly ClaimLine[]): ClaimRef =>
  lines && lines.length > 0 ? { institutionId: c.institutionId, claimId: c.claimNo, lines: lines.map((l) => l.lineId) } : { institutionId: c.institutionId, claimId: c.claimNo };

export const sumFen = (lines: readonly ClaimLine[]) => lines.reduce((s, l) => s + l.amountFen, 0);
export const ids = (lines: readonly ClaimLine[]) => lines.map((l) => l.lineId);

/** Dates as a reviewer reads them: all of a few, the ends of many (the count goes in the sentence). */
export function dateList(dates: readonly string[]): string {
  const sorted = [...new Set(dates)].sort();
  return sorted.length <= 5 ? sorted.join(', ') : `${sorted.slice(0, 3).join(', ')} … ${sorted[sorted.length - 1]}`;
}
