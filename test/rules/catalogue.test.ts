import { describe, expect, it } from 'vitest';
import { catalogue } from '../../rules/catalogue.js';
import { emptyHistory, evaluateRules, type AnyRule, type Fixture } from '../../rules/engine.js';

/** Runs a fixture through the engine exactly as the service does, with only this rule. */
function run(rule: AnyRule, f: Fixture<object>) {
  const history = { ...emptyHistory, ...f.history };
  const serviceDate = new Date(f.claim.startedAt + 8 * 3_600_000).toISOString().slice(0, 10);
  return evaluateRules([{ ...rule, status: 'active', effectiveFrom: '2000-01-01' }], {
    claim: f.claim,
    history,
    reference: f.reference,
    serviceDate,
    overrides: () => (f.params ? { params: f.params } : undefined),
  });
}

describe('the rule catalogue', () => {
  it('has unique rule ids', () => {
    expect(new Set(catalogue.map((r) => r.id)).size).toBe(catalogue.length);
  });

  for (const rule of catalogue) {
    describe(`${rule.id} v${rule.version}`, () => {
      const fixtures = rule.fixtures();
      it('ships fixtures that fire and fixtures that do not', () => {
        expect(fixtures.fires.length).toBeGreaterThan(0);
        expect(fixtures.passes.length).toBeGreaterThan(0);
        expect(rule.description.zh.length).toBeGreaterThan(0);
        expect(rule.description.en.length).toBeGreaterThan(0);
      });
      for (const f of fixtures.fires) {
        it(`fires: ${f.name}`, () => {
          const { findings, errors } = run(rule, f);
          expect(errors).toEqual([]);
          expect(findings.length).toBe(f.expect?.hits ?? findings.length);
          expect(findings.length).toBeGreaterThan(0);
          const first = findings[0]!;
          if (f.expect?.violatingLines) expect(first.violatingLines).toEqual(f.expect.violatingLines);
          if (f.expect?.amountFen !== undefined) expect(first.amountFen).toBe(f.expect.amountFen);
          if (f.expect?.otherClaims) expect(first.otherClaims.map((c) => c.claimId)).toEqual(f.expect.otherClaims);
          for (const h of findings) {
            expect(h.message.zh).not.toBe('');
            expect(h.message.en).not.toBe('');
            const lineIds = new Set(f.claim.lines.map((l) => l.lineId));
            for (const id of h.violatingLines) expect(lineIds.has(id)).toBe(true);
          }
        });
      }
      for (const f of fixtures.passes) {
        it(`does not fire: ${f.name}`, () => {
          const { findings, errors } = run(rule, f);
          expect(errors).toEqual([]);
          expect(findings).toEqual([]);
        });
      }
    });
  }
});
