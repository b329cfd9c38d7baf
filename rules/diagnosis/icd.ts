import type { Claim, ClaimLine, Diagnosis } from '../claim.js';
import type { RuleHit } from '../engine.js';
import { yuan } from '../text.js';

/**
 * ICD-10 categories as rules' parameters write them ("J44", or a range "O00-O99"), compiled once
 * per parameter list (the defaults object is the same on every claim) into [from, to] pairs of
 * three-character categories compared as strings: "O80" lies in "O00"–"O99".
 */
export type CategoryRanges = readonly (readonly [string, string])[];

const compiled = new WeakMap<readonly string[], CategoryRanges>();

export function categoryRanges(specs: readonly string[]): CategoryRanges {
  let ranges = compiled.get(specs);
  if (!ranges) {
    ranges = specs.map((s) => {
      const [from = '', to = from] = s.toUpperCase().split('-');
      return [from, to] as const;
    });
    compiled.set(specs, ranges);
  }
  return ranges;
}

/** The three-character category of a code: "O80.000" → "O80", "i10.x00" → "I10". */
export const categoryOf = (code: string) => code.slice(0, 3).toUpperCase();

export function inRanges(code: string, ranges: CategoryRanges): boolean {
  const cat = categoryOf(code);
  for (const [from, to] of ranges) if (cat >= from && cat <= to) return true;
  return false;
}

/** The diagnoses of a claim that fall in the ranges, in the claim's order. */
export const diagnosesIn = (c: Pick<Claim, 'diagnoses'>, specs: readonly string[]): Diagnosis[] => {
  if (c.diagnoses.length === 0) return [];
  const ranges = categoryRanges(specs);
  return c.diagnoses.filter((d) => inRanges(d.code, ranges));
};

const named = (d: Diagnosis) => (d.name ? `${d.code} (${d.name})` : d.code);
export const diagnosisList = (ds: readonly Diagnosis[]) => ds.map(named).join(', ');

/**
 * A finding about the claim as a whole (its diagnosis, the person, a declaration): every line
 * stands on it, so every line is named and the amount at issue is the lines' total (or the
 * amount given, such as the fund's share).
 */
export function wholeClaimHit(c: Claim, message: { zh: string; en: string }, amountFen?: number): RuleHit {
  const lines: ClaimLine[] = c.lines;
  return {
    message,
    violatingLines: lines.map((l) => l.lineId),
    involvedLines: [],
    otherClaims: [],
    amountFen: amountFen ?? lines.reduce((s, l) => s + l.amountFen, 0),
  };
}

export { yuan };
