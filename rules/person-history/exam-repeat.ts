import { z } from 'zod';
import type { Claim, ClaimLine } from '../claim.js';
import { categoryRanges, inRanges } from '../diagnosis/icd.js';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import { claim, reference } from '../fixtures/build.js';
import { icdCategory, list, flag } from '../params.js';
import { dayIndex, ref as claimRef } from '../quantity/over-limit.js';
import type { ReferenceView } from '../reference.js';
import { cstTime, itemName, yuan } from '../text.js';

export interface ExamRepeatParams {
  /**
   * main or secondary diagnoses on the repeating claim that are a recognised clinical reason to
   * repeat the exam (病情变化: an acute stroke or head injury is imaged again within hours)
   */
  changedConditionDiagnoses: string[];
  /** also judge a repeat at the same institution (mutual recognition is between institutions: off) */
  sameInstitution: boolean;
}

interface Exam {
  claim: Claim;
  line: ClaimLine;
  group: string;
  windowDays: number;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** service time, then institution, claim and line: the same order whichever claim arrived first */
const earlier = (a: Exam, b: Exam) =>
  a.line.serviceAt - b.line.serviceAt || cmp(a.claim.institutionId, b.claim.institutionId) || cmp(a.claim.claimNo, b.claim.claimNo) || a.line.lineNo - b.line.lineNo;

function examsOf(c: Claim, ref: ReferenceView, groups?: ReadonlySet<string>): Exam[] {
  const out: Exam[] = [];
  for (const line of c.lines) {
    if (line.quantity <= 0) continue;
    const r = ref.examRecognition(line.itemCode, line.serviceDate);
    if (r && (!groups || groups.has(r.group))) out.push({ claim: c, line, group: r.group, windowDays: r.windowDays });
  }
  return out;
}

/** `later` repeats `first`: another institution (unless asked), the same exam, within the first result's window. */
const repeats = (first: Exam, later: Exam, p: ExamRepeatParams) =>
  first.claim !== later.claim &&
  (p.sameInstitution || first.claim.institutionId !== later.claim.institutionId) &&
  first.group === later.group &&
  earlier(first, later) < 0 &&
  dayIndex(later.line.serviceDate) - dayIndex(first.line.serviceDate) <= first.windowDays;

/**
 * The same exam or test of the fund's mutual-recognition list (检查检验结果互认, reference kind
 * `exam-recognition`) billed again for one person at another institution within its window (days
 * from the first result's service date, that day's window included): the first result should
 * have been recognised (重复检查). The repeat, the later of the two by service time, is at fault,
 * whichever claim arrives first; a repeat on a claim carrying a diagnosis of a changed condition
 * (`changedConditionDiagnoses`) is a recognised clinical reason and passes. For review (medium),
 * the repeated lines' amount at issue.
 */
export const examRepeat: Rule<ExamRepeatParams> = {
  id: 'EXAM-REPEAT',
  version: 1,
  family: 'exam-repeat',
  severity: 'medium',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '互认目录内的检查检验项目在互认期限内于另一机构重复进行 (检查检验结果互认): 疑似重复检查, 转人工审核; 病情变化的诊断除外',
    en: 'An exam or test of the mutual-recognition list repeated at another institution within its window: possibly a needless repeat, for review; a changed condition excepted',
  },
  effectiveFrom: '2000-01-01',
  defaults: { changedConditionDiagnoses: ['I60-I64', 'S06'], sameInstitution: false },
  paramSchema: z.object({ changedConditionDiagnoses: list(icdCategory(), 200), sameInstitution: flag() }).strict(),
  evaluate({ claim: c, history, reference: ref, params: p, facts }) {
    // most claims have no other institution's claim around them: settled before a line is looked at
    if (history.personClaims.length === 0) return [];
    const others = facts.others.filter((o) => p.sameInstitution || o.institutionId !== c.institutionId);
    if (others.length === 0) return [];
    const mine = examsOf(c, ref);
    if (mine.length === 0) return [];
    const groups = new Set(mine.map((e) => e.group));
    const theirs = others.flatMap((o) => examsOf(o, ref, groups));
    if (theirs.length === 0) return [];
    const ranges = categoryRanges(p.changedConditionDiagnoses);
    const excused = (x: Claim) => x.diagnoses.some((d) => inRanges(d.code, ranges));
    const hits: RuleHit[] = [];

    // this claim's repeats: each against the latest earlier result it repeats
    if (!excused(c)) {
      const pairs: { first: Exam; again: Exam }[] = [];
      for (const again of mine) {
        let first: Exam | undefined;
        for (const t of theirs) if (repeats(t, again, p) && (!first || earlier(first, t) < 0)) first = t;
        if (first) pairs.push({ first, again });
      }
      if (pairs.length > 0) hits.push(hitOn(c, c, pairs, ref));
    }
    // an earlier claim's repeats of this claim's results (this claim arrived late): reported on
    // that claim, unless a result of a third claim came before them too (that one judged them)
    const byClaim = new Map<Claim, { first: Exam; again: Exam }[]>();
    for (const again of theirs) {
      if (excused(again.claim)) continue;
      let first: Exam | undefined;
      for (const m of mine) if (repeats(m, again, p) && (!first || earlier(first, m) < 0)) first = m;
      if (!first || theirs.some((t) => repeats(t, again, p))) continue;
      byClaim.set(again.claim, [...(byClaim.get(again.claim) ?? []), { first, again }]);
    }
    for (const [o, pairs] of byClaim) hits.push(hitOn(c, o, pairs, ref));
    return hits;
  },
  fixtures,
};

function hitOn(c: Claim, target: Claim, pairs: readonly { first: Exam; again: Exam }[], ref: ReferenceView): RuleHit {
  const amountFen = pairs.reduce((s, x) => s + x.again.line.amountFen, 0);
  const zh = pairs.map(
    ({ first, again }) =>
      `${itemName(again.line, ref)} 于 ${cstTime(again.line.serviceAt)} 在 ${again.claim.institutionId} 重复 (${yuan(again.line.amountFen)} 元), 距 ${cstTime(first.line.serviceAt)} 在 ${first.claim.institutionId} 的结果 ${dayIndex(again.line.serviceDate) - dayIndex(first.line.serviceDate)} 天, 互认期限 ${first.windowDays} 天`,
  );
  const en = pairs.map(
    ({ first, again }) =>
      `${itemName(again.line, ref)} repeated at ${again.claim.institutionId} on ${cstTime(again.line.serviceAt)} (${yuan(again.line.amountFen)} yuan), ${dayIndex(again.line.serviceDate) - dayIndex(first.line.serviceDate)} days after the result at ${first.claim.institutionId} on ${cstTime(first.line.serviceAt)}, within its recognition window of ${first.windowDays} days`,
  );
  const where = target === c ? '' : ` (claim ${target.claimNo})`;
  const message = {
    zh: `检查检验结果未互认: ${zh.join('; ')}; ${pairs.length} 行 ${yuan(amountFen)} 元${target === c ? '' : ` (结算单 ${target.claimNo})`}转人工审核`,
    en: `Exam repeated within its recognition window: ${en.join('; ')}; ${pairs.length} ${pairs.length === 1 ? 'line' : 'lines'}, ${yuan(amountFen)} yuan${where}, for review`,
  };
  const againIds = pairs.map((x) => x.again.line.lineId);
  // the first results, by claim: involved lines (this claim's) or refs (the others')
  const firsts = new Map<Claim, string[]>();
  for (const { first } of pairs) firsts.set(first.claim, [...new Set([...(firsts.get(first.claim) ?? []), first.line.lineId])]);
  if (target === c)
    return {
      message,
      violatingLines: againIds,
      involvedLines: [],
      otherClaims: [...firsts].map(([o, lines]) => claimRef(o, lines)),
      amountFen,
    };
  return { message, violatingLines: [], involvedLines: firsts.get(c) ?? [], otherClaims: [claimRef(target, againIds)], amountFen };
}

function fixtures(): RuleFixtures<ExamRepeatParams> {
  const ref = reference({
    exams: [
      { itemCode: 'CT-HEAD', group: 'CT-HEAD', windowDays: 30 },
      { itemCode: 'CT-HEAD-2', group: 'CT-HEAD', windowDays: 30 },
      { itemCode: 'CBC', group: 'CBC', windowDays: 7 },
    ],
  });
  const visit = (institutionId: string, claimNo: string, at: string, items: string[], diagnoses: string[] = []) =>
    claim({
      institutionId,
      claimNo,
      visit: at,
      diagnoses: diagnoses.map((code, i) => ({ code, main: i === 0 })),
      lines: items.map((itemCode) => ({ itemCode, at, category: 'exam' as const, amountFen: 15000 })),
    });
  const first = visit('H1', 'A1', '2026-10-01 09:00', ['CT-HEAD', 'V']);
  return {
    fires: [
      {
        name: 'a head CT at another hospital 12 days after the first',
        claim: visit('H2', 'B1', '2026-10-13 10:00', ['V', 'CT-HEAD']),
        history: { personClaims: [first] },
        reference: ref,
        expect: { hits: 1, violatingLines: ['L2'], amountFen: 15000, otherClaims: ['A1'] },
      },
      {
        name: 'the same exam under another code of its group, on the last day of the window',
        claim: visit('H2', 'B1', '2026-10-31 10:00', ['CT-HEAD-2']),
        history: { personClaims: [first] },
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1'] },
      },
      {
        name: 'arriving late with the first result: the repeat in the stored claim is at fault (retrospective)',
        claim: first,
        history: { personClaims: [visit('H2', 'B1', '2026-10-05 10:00', ['CT-HEAD'])] },
        reference: ref,
        expect: { hits: 1, violatingLines: [], amountFen: 15000, otherClaims: ['B1'] },
      },
      {
        name: 'a blood count repeated the same day elsewhere',
        claim: visit('H2', 'B2', '2026-10-01 15:00', ['CBC']),
        history: { personClaims: [visit('H1', 'A2', '2026-10-01 08:00', ['CBC'])] },
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1'] },
      },
    ],
    passes: [
      { name: 'the same CT a day after its window', claim: visit('H2', 'B1', '2026-11-01 10:00', ['CT-HEAD']), history: { personClaims: [first] }, reference: ref },
      {
        name: 'a repeat for a stroke (a changed condition: I63)',
        claim: visit('H2', 'B1', '2026-10-03 10:00', ['CT-HEAD'], ['I63.900']),
        history: { personClaims: [first] },
        reference: ref,
      },
      { name: 'a follow-up CT at the same hospital (its own doctors’ call)', claim: visit('H1', 'A9', '2026-10-10 10:00', ['CT-HEAD']), history: { personClaims: [first] }, reference: ref },
      { name: 'an exam not on the list', claim: visit('H2', 'B1', '2026-10-03 10:00', ['V']), history: { personClaims: [visit('H1', 'A1', '2026-10-01 09:00', ['V'])] }, reference: ref },
      { name: 'a different exam elsewhere', claim: visit('H2', 'B1', '2026-10-03 10:00', ['CBC']), history: { personClaims: [first] }, reference: ref },
    ],
  };
}
