import type { Claim } from '../../rules/claim.js';
import { faultyClaim, type ClaimRef, type Finding } from '../../rules/finding.js';
import { formatFen } from '../lib/money.js';
import { uuid7 } from '../lib/uuid7.js';

/**
 * A finding as stored: on its own claim, or retrospectively on the earlier claim at fault. The
 * keys are short because this object is the JSON the claim's insert sends to PostgreSQL
 * (`jsonb_to_recordset` in claims.repository.ts names its columns by them), once per finding:
 * `sev` severity, `st` status, `vl` violating lines, `il` involved lines, `oc` other claims.
 */
export interface StoredFinding {
  id: string;
  rule: string;
  ver: number;
  fam: string;
  sev: string;
  st: string;
  msg: Finding['message'];
  vl: string[];
  il: string[];
  oc: Finding['otherClaims'];
  amt: string;
}

export interface RetrospectiveFinding extends StoredFinding {
  inst: string;
  cno: string;
}

/**
 * A claim named by a finding that another claim carries: shown with the claim, it opens no case
 * and counts no amount. `rel` says when the claim carrying the finding was received, against the
 * claim shown: `later` (it was screened after this one), `earlier` (it was stored before this one
 * and the finding was filed on it when this one arrived), `found-later` (stored before, the
 * finding filed on it when a third claim, `by`, arrived).
 */
export interface StoredReference {
  id: string;
  /** the finding referred to */
  fid: string;
  rule: string;
  ver: number;
  fam: string;
  sev: string;
  /** the claim carrying the finding */
  on: { institutionId: string; claimId: string };
  /** the claim whose screening found it */
  by: { institutionId: string; claimId: string };
  rel: 'later' | 'earlier' | 'found-later';
  /** this claim's lines the finding names */
  lines: string[];
}

/** A reference shown on an earlier stored claim. */
export interface RetrospectiveReference extends StoredReference {
  inst: string;
  cno: string;
}

const stored = (f: Finding, over: Partial<StoredFinding> = {}): StoredFinding => ({
  id: uuid7(),
  rule: f.ruleId,
  ver: f.ruleVersion,
  fam: f.family,
  sev: f.severity,
  st: f.status,
  msg: f.message,
  vl: f.violatingLines,
  il: f.involvedLines,
  oc: f.otherClaims,
  amt: formatFen(f.amountFen),
  ...over,
});

const claimRef = (c: { institutionId: string; claimNo: string }) => ({ institutionId: c.institutionId, claimId: c.claimNo });

/** The reference's sentence, in both languages; it names the claim carrying the finding, never "this claim" for it. */
export function referenceMessage(r: Pick<StoredReference, 'rule' | 'on' | 'by' | 'rel' | 'lines'>): { zh: string; en: string } {
  const on = `${r.on.claimId} (${r.on.institutionId})`;
  const by = `${r.by.claimId} (${r.by.institutionId})`;
  const list = r.lines.join(', ');
  const whatZh = r.lines.length > 0 ? `本结算单行 ${list}` : '本结算单';
  const whatEn = r.lines.length > 0 ? `line${r.lines.length > 1 ? 's' : ''} ${list} of this claim` : 'this claim';
  const tailZh = `疑点及涉及金额记在结算单 ${on} 上, 不记在本结算单`;
  const tailEn = `the finding and its amount are on claim ${on}, none on this claim`;
  switch (r.rel) {
    case 'later':
      return {
        zh: `后到的结算单 ${on} 引用本结算单: 其疑点 ${r.rule} 涉及${whatZh}; ${tailZh}`,
        en: `Claim ${on}, received later, refers to this claim: its finding ${r.rule} names ${whatEn}; ${tailEn}`,
      };
    case 'earlier':
      return {
        zh: `先到的结算单 ${on} 引用本结算单: 本结算单到达时, 在其上追溯记录疑点 ${r.rule}, 涉及${whatZh}; ${tailZh}`,
        en: `Claim ${on}, received earlier, refers to this claim: its finding ${r.rule}, filed on it when this claim arrived, names ${whatEn}; ${tailEn}`,
      };
    case 'found-later':
      return {
        zh: `结算单 ${on} 引用本结算单: 后到的结算单 ${by} 到达时, 在其上追溯记录疑点 ${r.rule}, 涉及${whatZh}; ${tailZh}`,
        en: `Claim ${on} refers to this claim: its finding ${r.rule}, filed on it when claim ${by} was received later, names ${whatEn}; ${tailEn}`,
      };
  }
}

function reference(
  f: Finding,
  fid: string,
  on: { institutionId: string; claimId: string },
  by: { institutionId: string; claimId: string },
  rel: StoredReference['rel'],
  lines: string[],
): StoredReference {
  return { id: uuid7(), fid, ver: f.ruleVersion, fam: f.family, sev: f.severity, rule: f.ruleId, on, by, rel, lines };
}

const sameClaim = (a: ClaimRef, b: ClaimRef) => a.institutionId === b.institutionId && a.claimId === b.claimId;

/**
 * Files each finding on the claim whose lines break the rule (`faultyClaim`): the claim screened
 * (`own`, with `ownFindings` the same findings as the rules gave them, for the answer) or the
 * earlier stored claim at fault (`retrospective`, with the amount). Every other claim the finding
 * names gets a reference: the claim screened (`references`) when the finding was filed
 * retrospectively, earlier stored claims (`retroReferences`) otherwise. Which claim carries a
 * finding is the rules' judgement, made the same whichever of the claims arrived first; nothing is
 * copied, so no innocent claim gets a finding, a case or an amount.
 */
export function splitFindings(claim: Claim, findings: readonly Finding[]) {
  const own: StoredFinding[] = [];
  const ownFindings: Finding[] = [];
  const retrospective: RetrospectiveFinding[] = [];
  const references: StoredReference[] = [];
  const retroReferences: RetrospectiveReference[] = [];
  const self = claimRef(claim);
  for (const f of findings) {
    const faulty = faultyClaim(f);
    if (!faulty) {
      const s = stored(f);
      own.push(s);
      ownFindings.push(f);
      for (const o of f.otherClaims) {
        retroReferences.push({ ...reference(f, s.id, self, self, 'later', o.lines ?? []), inst: o.institutionId, cno: o.claimId });
      }
      continue;
    }
    const on = { institutionId: faulty.institutionId, claimId: faulty.claimId };
    const s = stored(f, {
      vl: faulty.lines ?? [],
      il: [],
      oc: [{ ...self, lines: f.involvedLines }, ...f.otherClaims.filter((o) => o !== faulty)],
    });
    retrospective.push({ ...s, inst: faulty.institutionId, cno: faulty.claimId });
    references.push(reference(f, s.id, on, self, 'earlier', f.involvedLines));
    for (const o of f.otherClaims) {
      if (o === faulty || sameClaim(o, faulty)) continue;
      retroReferences.push({ ...reference(f, s.id, on, self, 'found-later', o.lines ?? []), inst: o.institutionId, cno: o.claimId });
    }
  }
  return { own, ownFindings, retrospective, references, retroReferences };
}
