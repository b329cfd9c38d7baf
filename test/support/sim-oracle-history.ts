import { cstDate, parseInstant } from '../../src/lib/time.js';
import { RECOGNITION_WINDOW_DAYS } from '../../sim/catalogue-recognised.js';
import type { SimInstitution } from '../../sim/types.js';
import type { WireClaim } from '../../sim/wire.js';

/**
 * The oracle's reading of issue 19's history and scope patterns (sim-oracle.ts), from their
 * definitions: a recognised exam again at another institution within its window; one person's
 * visits or purchases in two areas less than an hour apart; a pharmacy billing anything but goods
 * or a clinic without beds billing beds, nursing or operations.
 */
const at = (s: string) => parseInstant(s) as number;
const days = (a: number, b: number) => (Date.parse(cstDate(b)) - Date.parse(cstDate(a))) / 86_400_000;

export function historyPatterns(claims: readonly WireClaim[], institutions: readonly SimInstitution[], hit: (c: WireClaim, v: string) => void) {
  const byId = new Map(institutions.map((i) => [i.id, i]));
  const exams = new Map<string, { when: number; code: string; claim: WireClaim }[]>();
  const visits = new Map<string, WireClaim[]>();
  for (const c of claims) {
    const inst = byId.get(c.institutionId) as SimInstitution;
    for (const l of c.lines) {
      if (RECOGNITION_WINDOW_DAYS.has(l.itemCode)) exams.set(c.insured.id, [...(exams.get(c.insured.id) ?? []), { when: at(l.serviceAt), code: l.itemCode, claim: c }]);
      const goods = l.category === 'drug' || l.category === 'consumable';
      if (inst.type === 'pharmacy' && !goods) hit(c, 'out-of-scope');
      if (inst.type === 'clinic' && inst.beds === 0 && ['bed', 'nursing', 'operation'].includes(l.category)) hit(c, 'out-of-scope');
    }
    if (c.visitType !== 'inpatient') visits.set(c.insured.id, [...(visits.get(c.insured.id) ?? []), c]);
  }
  for (const list of exams.values())
    for (const a of list)
      for (const b of list)
        if (a.code === b.code && a.claim.institutionId !== b.claim.institutionId && a.when < b.when && days(a.when, b.when) <= (RECOGNITION_WINDOW_DAYS.get(a.code) as number))
          hit(b.claim, 'exam-repeat');
  for (const list of visits.values())
    for (const a of list)
      for (const b of list) {
        const [ia, ib] = [byId.get(a.institutionId) as SimInstitution, byId.get(b.institutionId) as SimInstitution];
        const gap = at(b.visitAt as string) - at(a.visitAt as string);
        if (ia.area !== ib.area && gap > 0 && gap < 3_600_000) hit(b, 'travel-impossible');
      }
}
