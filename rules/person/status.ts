import type { Claim, ClaimLine } from '../claim.js';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import { claim, reference } from '../fixtures/build.js';
import { noParams } from '../params.js';
import type { PersonRef, PersonVersion, ReferenceView } from '../reference.js';
import { yuan } from '../text.js';
import { NONE } from '../facts.js';

type Breach = (line: ClaimLine, person: PersonRef) => { zh: string; en: string } | undefined;

/**
 * The lines whose service date the person's register entry (valid on that date) rules out, as one
 * hit: every such line is not payable. A person the register does not hold is not judged (the
 * register may cover only part of the insured).
 */
/** The claim's first and last service dates, and the register entry valid on each: shared by both rules. */
interface Span {
  lo: string;
  hi: string;
  first: PersonRef | undefined;
  last: PersonRef | undefined;
}
// One entry: the two rules judge the same claim against the same view one after the other.
let cached: { c: Claim; ref: ReferenceView; span: Span } | undefined;
function spanOf(c: Claim, ref: ReferenceView): Span {
  if (cached && cached.c === c && cached.ref === ref) return cached.span;
  let lo = '';
  let hi = '';
  for (const l of c.lines) {
    if (lo === '' || l.serviceDate < lo) lo = l.serviceDate;
    if (l.serviceDate > hi) hi = l.serviceDate;
  }
  const first = ref.person(c.personHash, lo);
  const span = { lo, hi, first, last: lo === hi ? first : ref.person(c.personHash, hi) };
  cached = { c, ref, span };
  return span;
}

function registerBreaches(c: Claim, ref: ReferenceView, breach: Breach, what: { zh: string; en: string }, clear: (lo: string, hi: string, p: PersonRef) => boolean): readonly RuleHit[] {
  // The common case without a look at each line: one entry valid over the claim's first and last
  // service dates that allows both (the breaches are monotone in the date), or none at either.
  const sp = spanOf(c, ref);
  if (sp.first === undefined && sp.last === undefined) {
    if (sp.lo === sp.hi) return NONE;
  } else if (sp.first === sp.last && clear(sp.lo, sp.hi, sp.first!)) return NONE;
  let lines: ClaimLine[] | undefined;
  let why: { zh: string; en: string } | undefined;
  let lastDate = '';
  let last: PersonRef | undefined;
  for (const l of c.lines) {
    if (l.serviceDate !== lastDate) {
      lastDate = l.serviceDate;
      last = ref.person(c.personHash, l.serviceDate);
    }
    if (!last) continue;
    const b = breach(l, last);
    if (!b) continue;
    (lines ??= []).push(l);
    why ??= b;
  }
  if (!lines || !why) return NONE;
  const amountFen = lines.reduce((s, l) => s + l.amountFen, 0);
  const dates = [...new Set(lines.map((l) => l.serviceDate))].sort();
  const span = dates.length === 1 ? dates[0] : `${dates[0]}–${dates[dates.length - 1]}`;
  return [
    {
      message: {
        zh: `${what.zh}: 服务日期 ${span}, ${why.zh}; ${lines.length} 行 ${yuan(amountFen)} 元不予支付`,
        en: `${what.en}: service on ${span}, ${why.en}; ${lines.length} ${lines.length === 1 ? 'line' : 'lines'}, ${yuan(amountFen)} yuan not payable`,
      },
      violatingLines: lines.map((l) => l.lineId),
      involvedLines: [],
      otherClaims: [],
      amountFen,
    },
  ];
}

const AFTER_DEATH = { zh: '死亡后就医', en: 'Care after death' };
const afterDeath: Breach = (l, p) =>
  p.deathDate !== undefined && l.serviceDate > p.deathDate ? { zh: `参保人登记于 ${p.deathDate} 死亡`, en: `the person is registered as deceased on ${p.deathDate}` } : undefined;
const aliveThrough = (_lo: string, hi: string, p: PersonRef) => p.deathDate === undefined || hi <= p.deathDate;

const OUTSIDE_ENROLMENT = { zh: '非参保期就医', en: 'Care outside enrolment' };
const outsideEnrolment: Breach = (l, p) => {
  if (l.serviceDate < p.enrolledFrom) return { zh: `参保期自 ${p.enrolledFrom} 开始`, en: `enrolment begins on ${p.enrolledFrom}` };
  if (p.enrolledTo !== undefined && l.serviceDate > p.enrolledTo) return { zh: `参保期于 ${p.enrolledTo} 终止`, en: `enrolment ended on ${p.enrolledTo}` };
  return undefined;
};
const enrolledThrough = (lo: string, hi: string, p: PersonRef) => lo >= p.enrolledFrom && (p.enrolledTo === undefined || hi <= p.enrolledTo);

/**
 * Services dated after the person's death in the fund's register: someone else used the card
 * (冒名就医), or the services were made up (虚构医疗服务). The day of death itself is a day of care
 * (a patient dies in hospital), so only later days are at fault. A definite violation.
 */
export const personDeceased: Rule = {
  id: 'PERSON-DECEASED',
  version: 1,
  family: 'person-status',
  severity: 'violation',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '参保人登记死亡日期之后仍发生医疗服务: 冒名就医或虚构服务, 不予支付 (死亡当日除外)',
    en: 'Services dated after the person’s registered date of death: impersonation or made-up services, not payable (the day of death itself excepted)',
  },
  effectiveFrom: '2000-01-01',
  defaults: {},
  paramSchema: noParams(),
  evaluate({ claim: c, reference: ref }) {
    return registerBreaches(c, ref, afterDeath, AFTER_DEATH, aliveThrough);
  },
  fixtures: () => personFixtures('deceased'),
};

/**
 * Services dated outside the person's enrolment (参保) in the fund's register: before it began or
 * after it ended, when the fund does not pay. A definite violation. A newborn treated on its
 * mother's card is billed under her enrolment, not its own, so it is not this.
 */
export const personNotEnrolled: Rule = {
  id: 'PERSON-NOT-ENROLLED',
  version: 1,
  family: 'person-status',
  severity: 'violation',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '服务日期不在参保人登记的参保期内: 非参保期间发生的费用, 不予支付',
    en: 'Services dated outside the person’s registered enrolment: not payable',
  },
  effectiveFrom: '2000-01-01',
  defaults: {},
  paramSchema: noParams(),
  evaluate({ claim: c, reference: ref }) {
    return registerBreaches(c, ref, outsideEnrolment, OUTSIDE_ENROLMENT, enrolledThrough);
  },
  fixtures: () => personFixtures('not-enrolled'),
};

function personFixtures(kind: 'deceased' | 'not-enrolled'): RuleFixtures {
  const register = (...versions: PersonVersion[]) => reference({ persons: [{ personHash: 'P1', versions }] });
  const stay = claim({
    admitted: '2026-10-01 09:00',
    discharged: '2026-10-05 10:00',
    lines: [
      { itemCode: 'B', at: '2026-10-01 09:00' },
      { itemCode: 'B', at: '2026-10-03 09:00' },
      { itemCode: 'B', at: '2026-10-04 09:00', amountFen: 2500 },
    ],
  });
  const base = { validFrom: '2000-01-01', enrolledFrom: '2000-01-01' };
  if (kind === 'deceased')
    return {
      fires: [
        {
          name: 'two days of a stay after the registered death',
          claim: stay,
          reference: register({ ...base, deathDate: '2026-10-02' }),
          expect: { hits: 1, violatingLines: ['L2', 'L3'], amountFen: 3500 },
        },
        {
          name: 'a visit a month after death',
          claim: claim({ lines: [{ itemCode: 'V', at: '2026-10-04 09:00' }] }),
          reference: register({ ...base, deathDate: '2026-09-04' }),
          expect: { hits: 1, violatingLines: ['L1'] },
        },
      ],
      passes: [
        { name: 'care on the day of death (died in hospital)', claim: stay, reference: register({ ...base, deathDate: '2026-10-04' }) },
        { name: 'a living person', claim: stay, reference: register(base) },
        { name: 'a person the register does not hold', claim: stay, reference: reference({ persons: [{ personHash: 'OTHER', versions: [{ ...base, deathDate: '2026-01-01' }] }] }) },
        {
          name: 'a death recorded by a version valid only later (the date the facts hold from)',
          claim: stay,
          reference: register({ ...base, validTo: '2026-10-31' }, { ...base, validFrom: '2026-11-01', deathDate: '2026-10-02' }),
        },
      ],
    };
  return {
    fires: [
      {
        name: 'enrolment ended before the last two days of a stay',
        claim: stay,
        reference: register({ ...base, enrolledTo: '2026-10-02' }),
        expect: { hits: 1, violatingLines: ['L2', 'L3'], amountFen: 3500 },
      },
      {
        name: 'a visit before enrolment began',
        claim: claim({ lines: [{ itemCode: 'V', at: '2026-10-04 09:00' }] }),
        reference: register({ ...base, enrolledFrom: '2026-10-05' }),
        expect: { hits: 1 },
      },
    ],
    passes: [
      { name: 'on the first day of enrolment', claim: claim({ lines: [{ itemCode: 'V', at: '2026-10-04 09:00' }] }), reference: register({ ...base, enrolledFrom: '2026-10-04' }) },
      { name: 'on the last day of enrolment', claim: claim({ lines: [{ itemCode: 'V', at: '2026-10-04 23:59' }] }), reference: register({ ...base, enrolledTo: '2026-10-04' }) },
      { name: 'a person the register does not hold', claim: stay, reference: reference({}) },
    ],
  };
}
