import { expect } from 'vitest';
import type { Claim } from '../../rules/claim.js';
import { evaluateRules, type AnyRule } from '../../rules/engine.js';
import type { Finding } from '../../rules/finding.js';
import type { ReferenceView } from '../../rules/reference.js';

/**
 * Claims screened one after another, each with the claims that arrived before it as history, the
 * way the service sees a person's claims arriving late and out of order. The ledger is what ends
 * up at issue on each claim: a finding with violating lines counts on the claim screened; one
 * without counts on the single other claim whose lines it names (a retrospective finding).
 */
export type Ledger = Record<string, { amountFen: number; lines: string[] }>;

const key = (c: { institutionId: string; claimNo?: string; claimId?: string }) => `${c.institutionId}/${c.claimNo ?? c.claimId}`;

export function screenInOrder(rule: AnyRule, claims: readonly Claim[], reference: ReferenceView, params?: object): { ledger: Ledger; findings: Finding[] } {
  const arrived: Claim[] = [];
  const ledger: Ledger = {};
  const all: Finding[] = [];
  for (const c of claims) {
    const { findings, errors } = evaluateRules([{ ...rule, status: 'active', effectiveFrom: '2000-01-01' }], {
      claim: c,
      history: { personClaims: [...arrived], institutionMonthQuantity: new Map() },
      reference,
      serviceDate: '2026-10-01',
      overrides: () => (params ? { params } : undefined),
    });
    expect(errors).toEqual([]);
    for (const f of findings) {
      const withLines = f.otherClaims.filter((r) => r.lines && r.lines.length > 0);
      let target: string;
      let lines: string[];
      if (f.violatingLines.length > 0) {
        target = key(c);
        lines = f.violatingLines;
      } else {
        // the service gives a retrospective finding's whole amount to every ref with lines: there must be one
        expect(withLines).toHaveLength(1);
        target = key(withLines[0]!);
        lines = withLines[0]!.lines!;
      }
      const entry = (ledger[target] ??= { amountFen: 0, lines: [] });
      entry.amountFen += f.amountFen;
      entry.lines.push(...lines);
      all.push(f);
    }
    arrived.push(c);
  }
  // a line of quantity 2 may cross a limit of 1 unit by unit, in two findings: lines are a set
  for (const e of Object.values(ledger)) e.lines = [...new Set(e.lines)].sort();
  return { ledger, findings: all };
}

export function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Ledgers with no line at issue left out, so "nothing" compares equal however it is spelled. */
export const nonEmpty = (l: Ledger): Ledger => Object.fromEntries(Object.entries(l).filter(([, e]) => e.lines.length > 0 || e.amountFen !== 0));

/** "yyyy-MM-dd HH:mm" (CST) of minutes after 2026-10-01 00:00 CST, for the fixture builders. */
export function cst(minutes: number): string {
  const d = new Date(Date.UTC(2026, 9, 1) + minutes * 60_000);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}
