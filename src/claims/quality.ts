import type { Claim } from '../../rules/claim.js';

/**
 * A claim's data quality as the monthly report counts it (the regulator's measures), computed once
 * when the claim is stored: its fee lines, those without the institution's own item name, and drug
 * and consumable lines without a specification. "Without" means absent or blank, as PostgreSQL's
 * btrim() saw it when the report read the stored bodies: only spaces count as blank (migration
 * 0008 fills claims stored before it with those very expressions).
 */
export interface ClaimQuality {
  lineCount: number;
  linesMissingName: number;
  linesMissingSpec: number;
}

const blank = (s: string | undefined) => s === undefined || /^ *$/.test(s);

export function claimQuality(claim: Claim): ClaimQuality {
  let linesMissingName = 0;
  let linesMissingSpec = 0;
  for (const l of claim.lines) {
    if (blank(l.hospitalItemName)) linesMissingName++;
    if ((l.category === 'drug' || l.category === 'consumable') && blank(l.specification)) linesMissingSpec++;
  }
  return { lineCount: claim.lines.length, linesMissingName, linesMissingSpec };
}
