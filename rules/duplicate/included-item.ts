import { z } from 'zod';
import type { Rule, RuleHit } from '../engine.js';
import { claim, item, reference } from '../fixtures/build.js';
import { ref as claimRef } from '../quantity/over-limit.js';
import type { RelationRef, RelationWindow } from '../reference.js';
import { cstTime, itemName, yuan } from '../text.js';
import { pairOptions, pairsBySub, WINDOW_TEXT } from './related-lines.js';
import { flag, relationWindow } from '../params.js';
import { NONE } from '../facts.js';

interface Params {
  /** the window of an 'includes' relation that names none (the national list always names one) */
  windowWhenUnspecified: RelationWindow;
  /** same_visit spans the claims of one institution that overlap an inpatient stay */
  stayAcrossClaims: boolean;
}

/**
 * A main item whose price already includes a sub-item (national list 重复收费, relations of kind
 * 'includes'), both billed by one institution within the relation's window: the sub-item line is
 * charged twice and is the violation, its whole amount at issue. Either may be in an earlier
 * claim; when the sub-item is, the finding goes to that claim (retrospective).
 */
export const duplicateIncludedItem: Rule<Params> = {
  id: 'DUP-INCLUDED-ITEM',
  version: 1,
  family: 'duplicate',
  severity: 'violation',
  status: 'active',
  description: {
    zh: '主项目已包含的从项目在规定时限内另行收费 (重复收费)',
    en: 'A sub-item already included in a main item billed again within the window',
  },
  effectiveFrom: '2000-01-01',
  defaults: { windowWhenUnspecified: 'same_day', stayAcrossClaims: true },
  paramSchema: z.object({ windowWhenUnspecified: relationWindow(), stayAcrossClaims: flag() }).strict(),
  evaluate({ claim: c, reference: ref, params, facts }) {
    const bySub = pairsBySub(c, facts, ref, pairOptions('includes', params));
    if (bySub.size === 0) return NONE;
    const hits: RuleHit[] = [];
    for (const [sub, pairs] of bySub) {
      const { main, window } = pairs[0]!;
      const subName = itemName(sub.line, ref);
      const mainName = itemName(main.line, ref);
      const mainWhere = main.claim === c ? { zh: '本单', en: 'this claim' } : { zh: `结算单 ${main.claim.claimNo}`, en: `claim ${main.claim.claimNo}` };
      const subWhere = sub.claim === c ? { zh: '本单', en: 'this claim' } : { zh: `结算单 ${sub.claim.claimNo}`, en: `claim ${sub.claim.claimNo}` };
      const message = {
        zh: `${subName} (${subWhere.zh}行 ${sub.line.lineId}, ${cstTime(sub.line.serviceAt)}) 已含于 ${mainName} (${mainWhere.zh}行 ${main.line.lineId}, ${cstTime(main.line.serviceAt)}), 时限${WINDOW_TEXT[window].zh}内重复收费 ${yuan(sub.line.amountFen)} 元`,
        en: `${subName} (line ${sub.line.lineId} of ${subWhere.en}, ${cstTime(sub.line.serviceAt)}) is included in ${mainName} (line ${main.line.lineId} of ${mainWhere.en}, ${cstTime(main.line.serviceAt)}) within ${WINDOW_TEXT[window].en}; ${yuan(sub.line.amountFen)} yuan charged twice`,
      };
      const mains = [...new Set(pairs.map((p) => p.main))];
      const ourMains = mains.filter((m) => m.claim === c).map((m) => m.line.lineId);
      if (sub.claim === c) {
        const theirMains = new Map<typeof c, string[]>();
        for (const m of mains) if (m.claim !== c) theirMains.set(m.claim, [...(theirMains.get(m.claim) ?? []), m.line.lineId]);
        hits.push({
          message,
          violatingLines: [sub.line.lineId],
          involvedLines: ourMains,
          otherClaims: [...theirMains].map(([o, lines]) => claimRef(o, lines)),
          amountFen: sub.line.amountFen,
        });
      } else {
        hits.push({ message, violatingLines: [], involvedLines: ourMains, otherClaims: [claimRef(sub.claim, [sub.line.lineId])], amountFen: sub.line.amountFen });
      }
    }
    return hits;
  },
  fixtures: () => {
    const rel = (window: RelationWindow | undefined, mainCode = 'M', subCode = 'S'): RelationRef => ({ kind: 'includes', mainCode, subCode, window, source: 'fixture' });
    const refWith = (window: RelationWindow | undefined) => reference({ items: [item({ itemCode: 'M', name: '急诊监护费' }), item({ itemCode: 'S', name: '急诊诊查费' })], relations: [rel(window)] });
    const two = (main: string, sub: string, subAmount = 500) =>
      claim({
        lines: [
          { itemCode: 'M', at: main },
          { itemCode: 'S', at: sub, amountFen: subAmount },
        ],
      });
    const stay = (claimNo: string, lines: { itemCode: string; at: string }[], visitType: 'inpatient' | 'outpatient' = 'inpatient') =>
      visitType === 'inpatient' ? claim({ claimNo, admitted: '2026-10-01 10:00', discharged: '2026-10-09 10:00', lines }) : claim({ claimNo, visit: lines[0]!.at, lines });
    return {
      fires: [
        {
          name: 'same day: sub-item at 23:59 on the main item’s date',
          claim: two('2026-10-04 00:00', '2026-10-04 23:59'),
          reference: refWith('same_day'),
          expect: { hits: 1, violatingLines: ['L2'], amountFen: 500 },
        },
        {
          name: 'same hour: 09:00 and 09:59',
          claim: two('2026-10-04 09:00', '2026-10-04 09:59'),
          reference: refWith('same_hour'),
          expect: { hits: 1, violatingLines: ['L2'] },
        },
        {
          name: 'six hours: exactly six hours before the main item',
          claim: two('2026-10-04 15:00', '2026-10-04 09:00'),
          reference: refWith('six_hours'),
          expect: { hits: 1, violatingLines: ['L2'] },
        },
        {
          name: 'same visit: the sub-item on the last day of the stay, the main on the first',
          claim: claim({
            admitted: '2026-10-01 10:00',
            discharged: '2026-10-09 10:00',
            lines: [
              { itemCode: 'M', at: '2026-10-01 11:00' },
              { itemCode: 'S', at: '2026-10-09 09:00' },
            ],
          }),
          reference: refWith('same_visit'),
          expect: { hits: 1, violatingLines: ['L2'] },
        },
        {
          name: 'arriving second with the sub-item; the main item in the earlier claim',
          claim: claim({ claimNo: 'C2', lines: [{ itemCode: 'S', at: '2026-10-04 18:00', amountFen: 700 }] }),
          history: { personClaims: [claim({ claimNo: 'C1', lines: [{ itemCode: 'M', at: '2026-10-04 08:00' }] })] },
          reference: refWith('same_day'),
          expect: { hits: 1, violatingLines: ['L1'], amountFen: 700, otherClaims: ['C1'] },
        },
        {
          name: 'arriving second with the main item; the sub-item in the earlier claim is the violation (retrospective)',
          claim: claim({ claimNo: 'C2', lines: [{ itemCode: 'M', at: '2026-10-04 18:00' }] }),
          history: { personClaims: [claim({ claimNo: 'C1', lines: [{ itemCode: 'S', at: '2026-10-04 08:00', amountFen: 700 }] })] },
          reference: refWith('same_day'),
          expect: { hits: 1, violatingLines: [], amountFen: 700, otherClaims: ['C1'] },
        },
        {
          name: 'same visit across an interim claim of the same stay',
          claim: stay('C2', [{ itemCode: 'S', at: '2026-10-08 09:00' }]),
          history: { personClaims: [stay('C1', [{ itemCode: 'M', at: '2026-10-02 09:00' }])] },
          reference: refWith('same_visit'),
          expect: { hits: 1, violatingLines: ['L1'], otherClaims: ['C1'] },
        },
        {
          name: 'a relation without a window counts as the same day',
          claim: two('2026-10-04 08:00', '2026-10-04 20:00'),
          reference: refWith(undefined),
          expect: { hits: 1, violatingLines: ['L2'] },
        },
      ],
      passes: [
        {
          name: 'same day: the sub-item at 00:00 the next day',
          claim: two('2026-10-04 23:59', '2026-10-05 00:00'),
          reference: refWith('same_day'),
        },
        {
          name: 'same hour: 09:59 and 10:00',
          claim: two('2026-10-04 09:59', '2026-10-04 10:00'),
          reference: refWith('same_hour'),
        },
        {
          name: 'six hours: six hours and one minute apart',
          claim: two('2026-10-04 09:00', '2026-10-04 15:01'),
          reference: refWith('six_hours'),
        },
        {
          name: 'same visit: two outpatient claims of one institution on one day are two visits',
          claim: claim({ claimNo: 'C2', visit: '2026-10-04 15:00', lines: [{ itemCode: 'S', at: '2026-10-04 15:00' }] }),
          history: { personClaims: [claim({ claimNo: 'C1', visit: '2026-10-04 09:00', lines: [{ itemCode: 'M', at: '2026-10-04 09:00' }] })] },
          reference: refWith('same_visit'),
        },
        {
          name: 'interim claims of one stay, when the deployment keeps same_visit to one claim',
          claim: stay('C2', [{ itemCode: 'S', at: '2026-10-08 09:00' }]),
          history: { personClaims: [stay('C1', [{ itemCode: 'M', at: '2026-10-02 09:00' }])] },
          reference: refWith('same_visit'),
          params: { stayAcrossClaims: false },
        },
        {
          name: 'the same day at another institution',
          claim: claim({ claimNo: 'C2', lines: [{ itemCode: 'S', at: '2026-10-04 18:00' }] }),
          history: { personClaims: [claim({ institutionId: 'H2', claimNo: 'C1', lines: [{ itemCode: 'M', at: '2026-10-04 08:00' }] })] },
          reference: refWith('same_day'),
        },
        {
          name: 'the sub-item alone, its main item billed in no claim',
          claim: claim({ lines: [{ itemCode: 'S', at: '2026-10-04 08:00' }] }),
          reference: refWith('same_day'),
        },
        {
          name: 'the earlier claims already hold the main and the sub-item; this claim adds another main item only',
          claim: claim({ claimNo: 'C3', lines: [{ itemCode: 'M', at: '2026-10-04 20:00' }] }),
          history: {
            personClaims: [claim({ claimNo: 'C1', lines: [{ itemCode: 'S', at: '2026-10-04 08:00' }] }), claim({ claimNo: 'C2', lines: [{ itemCode: 'M', at: '2026-10-04 09:00' }] })],
          },
          reference: refWith('same_day'),
        },
      ],
    };
  },
};
