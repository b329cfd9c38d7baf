import { describe, expect, it } from 'vitest';
import { decide } from '../../rules/decide.js';
import { evaluateRules, type Rule } from '../../rules/engine.js';
import { claim } from '../../rules/fixtures/build.js';
import { noParams } from '../../rules/params.js';

const c = claim({
  lines: [
    { itemCode: 'A', at: '2026-10-04 09:00' },
    { itemCode: 'B', at: '2026-10-04 10:00', amountFen: 5000 },
  ],
});
const base: Omit<Rule, 'evaluate'> = {
  id: 'T',
  version: 2,
  family: 'duplicate',
  severity: 'violation',
  status: 'active',
  description: { zh: '测试', en: 'test' },
  effectiveFrom: '2026-01-01',
  defaults: {},
  paramSchema: noParams(),
  fixtures: () => ({ fires: [], passes: [] }),
};
const hitL2: Rule = {
  ...base,
  evaluate: () => [{ message: { zh: 'x', en: 'x' }, violatingLines: ['L2'], involvedLines: [], otherClaims: [], amountFen: 7000 }],
};

describe('evaluateRules', () => {
  it('records a throwing rule as an error outcome and still runs the others', () => {
    const broken: Rule = {
      ...base,
      id: 'BROKEN',
      evaluate: () => {
        throw new Error('boom');
      },
    };
    const { findings, errors } = evaluateRules([broken, hitL2], { claim: c, serviceDate: '2026-10-04' });
    expect(errors).toEqual([{ ruleId: 'BROKEN', ruleVersion: 2, message: 'boom' }]);
    expect(findings.map((f) => f.ruleId)).toEqual(['T']);
  });

  it('skips rules not yet effective and retired rules', () => {
    expect(evaluateRules([hitL2], { claim: c, serviceDate: '2025-12-31' }).findings).toEqual([]);
    expect(evaluateRules([hitL2], { claim: c, serviceDate: '2026-10-04', overrides: () => ({ status: 'retired' }) }).findings).toEqual([]);
  });
});

describe('decide', () => {
  it('withholds an active violation, capped at the line amount', () => {
    const { findings } = evaluateRules([hitL2], { claim: c, serviceDate: '2026-10-04' });
    expect(decide(c, findings)).toEqual({
      decision: 'withhold',
      withheldLines: [{ lineId: 'L2', amountFen: 5000 }],
      withheldFen: 5000,
      payableFen: 1000,
      reviewReasons: [],
    });
  });

  it('runs a new rule in trial up to its trialUntil day (the day of screening), then in its own status; an admin’s date or status wins', () => {
    const fresh = { ...hitL2, trialUntil: '2026-12-31' };
    const at = (today: string, overrides?: () => { trialUntil?: string; status?: 'active' | 'trial' | 'retired' }) =>
      evaluateRules([fresh], { claim: c, serviceDate: '2026-10-04', today, overrides }).findings.map((f) => f.status);
    expect(at('2026-12-31')).toEqual(['trial']);
    expect(at('2027-01-01')).toEqual(['active']);
    expect(at('2027-01-01', () => ({ trialUntil: '2027-01-31' }))).toEqual(['trial']);
    expect(at('2026-12-02', () => ({ trialUntil: '2026-12-01' }))).toEqual(['active']);
    expect(at('2026-12-02', () => ({ status: 'active' }))).toEqual(['active']);
    expect(at('2027-06-01', () => ({ status: 'trial' }))).toEqual(['trial']);
    expect(at('2026-12-02', () => ({ status: 'retired' }))).toEqual([]);
    expect(decide(c, evaluateRules([fresh], { claim: c, serviceDate: '2026-10-04', today: '2026-12-02' }).findings).decision).toBe('pass');
    // without a day of screening, the service date stands for it
    expect(evaluateRules([fresh], { claim: c, serviceDate: '2026-10-04' }).findings[0]?.status).toBe('trial');
  });

  it('never withholds for a rule in trial', () => {
    const { findings } = evaluateRules([{ ...hitL2, status: 'trial' }], { claim: c, serviceDate: '2026-10-04' });
    expect(findings[0]?.status).toBe('trial');
    expect(decide(c, findings)).toMatchObject({ decision: 'pass', withheldFen: 0, payableFen: 6000 });
  });

  it('routes a suspicion to review without withholding', () => {
    const { findings } = evaluateRules([{ ...hitL2, severity: 'medium' }], { claim: c, serviceDate: '2026-10-04' });
    expect(decide(c, findings)).toMatchObject({ decision: 'review', withheldFen: 0, reviewReasons: ['T'] });
  });
});
