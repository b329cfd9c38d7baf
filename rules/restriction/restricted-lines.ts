import type { Claim, ClaimLine } from '../claim.js';
import type { RuleHit } from '../engine.js';
import type { CatalogueItemRef, ReferenceView } from '../reference.js';
import type { Severity } from '../finding.js';
import { itemName, yuan } from '../text.js';
import type { ClaimFacts } from '../facts.js';

/** Why a line breaks a restriction, in words a reviewer checks against the list. */
export interface Breach {
  zh: string;
  en: string;
  severity?: Severity;
}

/** `facts.institution(line.serviceDate)` is the claim's institution on the line's date (most checks never need it). */
export type BreachCheck = (line: ClaimLine, item: CatalogueItemRef, facts: ClaimFacts) => Breach | undefined;

/**
 * The lines whose catalogue item (with the national lists merged in) restricts who or where it is
 * paid for, and that break it: one hit per item and reason, the whole line amount at issue. Lines
 * billed under a code the catalogue does not know are not judged here.
 */
export function restrictedLines(c: Claim, reference: ReferenceView, facts: ClaimFacts, check: BreachCheck): RuleHit[] {
  const groups = new Map<string, { breach: Breach; lines: ClaimLine[] }>();
  const items = facts.items;
  for (let i = 0; i < c.lines.length; i++) {
    const item = items[i];
    if (!item) continue;
    const l = c.lines[i]!;
    const breach = check(l, item, facts);
    if (!breach) continue;
    const key = `${l.itemCode}|${breach.en}`;
    const g = groups.get(key);
    if (g) g.lines.push(l);
    else groups.set(key, { breach, lines: [l] });
  }
  return [...groups.values()].map(({ breach, lines }) => {
    const name = itemName(lines[0]!, reference);
    const amountFen = lines.reduce((s, l) => s + l.amountFen, 0);
    return {
      ...(breach.severity ? { severity: breach.severity } : {}),
      message: {
        zh: `${name} (${lines[0]!.itemCode}) ${breach.zh}; ${lines.length} 行 ${yuan(amountFen)} 元`,
        en: `${name} (${lines[0]!.itemCode}) ${breach.en}; ${lines.length} ${lines.length === 1 ? 'line' : 'lines'}, ${yuan(amountFen)} yuan`,
      },
      violatingLines: lines.map((l) => l.lineId),
      involvedLines: [],
      otherClaims: [],
      amountFen,
    };
  });
}
