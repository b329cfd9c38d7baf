import { randomUUID } from 'node:crypto';
import type { Claim } from '../../rules/claim.js';
import type { Finding } from '../../rules/finding.js';
import type { ClaimInput } from '../claims/claim.schema.js';
import { dateRangeIssues } from '../claims/date-range.js';
import { normalizeClaim } from '../claims/normalize.js';
import { ValidationError, fieldIssues, type FieldIssue } from '../errors.js';
import { keyedHash } from '../lib/hash.js';
import { formatFen } from '../lib/money.js';
import { assessClaim, type AssessContext } from '../screening/assess.js';
import type { NationalRepository, NationalResultRow } from './national.repository.js';
import type { ReviewRequest } from './national.schema.js';
import { encounterToClaim, nationalPath } from './to-claim.js';

export interface ReviewContext extends AssessContext {
  national: NationalRepository;
  claimSchema: { safeParse(v: unknown): { success: true; data: ClaimInput } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } };
  personIdSecret: string;
  now: () => number;
  clientId: string | null;
  ruleName: (ruleId: string) => string;
}

const SEVERITY_ZH = { violation: '明确违规', high: '高度可疑', medium: '中度可疑', low: '轻度可疑' } as const;
const FAMILY_ZH: Record<string, string> = {
  duplicate: '重复收费',
  'split-charging': '分解收费',
  'split-stay': '分解住院',
  'bed-hanging': '挂床住院',
  'overlapping-stay': '叠床住院',
  substitution: '串换项目',
  price: '超标准收费',
  quantity: '超量',
  restriction: '限定条件',
  'non-designated': '非定点',
};

/**
 * 3101/3102: checks each patient's current visit against the rules, with the earlier visits the
 * caller sent and the stored history. Nothing is stored as a claim (the visit may still change
 * before settlement); the answered violations are stored so 3103 feedback can refer to them.
 */
export async function reviewVisits(ctx: ReviewContext, req: ReviewRequest) {
  const data = req.input.data;
  const issues: FieldIssue[] = [];
  const checked: { patientIndex: number; claim: Claim; others: Claim[]; patnId: string }[] = [];

  data.patient_dtos.forEach((patient, p) => {
    const at = `input.data.patient_dtos[${p}]`;
    const personHash = keyedHash(ctx.personIdSecret, patient.patn_id ?? '');
    const claims: { claim: Claim; visitId: string }[] = [];
    patient.fsi_encounter_dtos.forEach((e, i) => {
      const parsed = ctx.claimSchema.safeParse(encounterToClaim(patient, e, req.fixmedins_code));
      if (!parsed.success) {
        for (const is of fieldIssues(parsed.error.issues)) issues.push({ path: `${at}.fsi_encounter_dtos[${i}].${nationalPath(is.path)}`, message: is.message });
        return;
      }
      const claim = normalizeClaim(parsed.data, personHash);
      for (const is of dateRangeIssues(claim, ctx.now())) issues.push({ path: `${at}.fsi_encounter_dtos[${i}].${nationalPath(is.path)}`, message: is.message });
      claims.push({ claim, visitId: e.mdtrt_id ?? '' });
    });
    const current = claims.find((c) => c.visitId === patient.curr_mdtrt_id);
    if (!current && !patient.fsi_encounter_dtos.some((e) => e.mdtrt_id === patient.curr_mdtrt_id))
      issues.push({ path: `${at}.curr_mdtrt_id`, message: 'must name one of fsi_encounter_dtos by its mdtrt_id' });
    if (current) checked.push({ patientIndex: p, claim: current.claim, others: claims.filter((c) => c !== current).map((c) => c.claim), patnId: patient.patn_id ?? '' });
  });
  if (issues.length > 0) throw new ValidationError(issues, 'The request is invalid');

  const wanted = new Set(data.rule_ids);
  const result: ReturnType<typeof toNationalResult>[] = [];
  for (const { claim, others, patnId } of checked) {
    const { findings } = await assessClaim(ctx, claim, others);
    const answered = findings.filter((f) => wanted.size === 0 || wanted.has(f.ruleId));
    const rows: NationalResultRow[] = answered.map((f) => ({
      id: randomUUID(),
      ruleId: f.ruleId,
      ruleVersion: f.ruleVersion,
      severity: f.severity,
      status: f.status,
      amount: formatFen(f.amountFen),
      message: f.message,
      violatingLines: f.violatingLines,
      involvedLines: f.involvedLines,
    }));
    await ctx.national.insertReview({
      id: randomUUID(),
      infno: req.infno ?? '',
      msgid: req.msgid,
      taskId: data.task_id,
      institutionId: claim.institutionId,
      visitId: claim.claimNo,
      personHash: claim.personHash,
      clientId: ctx.clientId,
      results: rows,
    });
    answered.forEach((f, i) => result.push(toNationalResult(ctx, f, rows[i]!.id, claim, patnId, data.task_id)));
  }
  return result;
}

function toNationalResult(ctx: ReviewContext, f: Finding, id: string, claim: Claim, patnId: string, taskId: string | undefined) {
  const amountOf = new Map(claim.lines.map((l) => [l.lineId, l.amountFen]));
  let remaining = f.amountFen;
  const detail = [
    ...f.violatingLines.map((rx) => {
      const share = Math.min(remaining, amountOf.get(rx) ?? 0);
      remaining -= share;
      return { jrd_id: randomUUID(), patn_id: patnId, mdtrt_id: claim.claimNo, rx_id: rx, vola_item_type: '1', vola_amt: formatFen(share) };
    }),
    ...f.involvedLines.map((rx) => ({ jrd_id: randomUUID(), patn_id: patnId, mdtrt_id: claim.claimNo, rx_id: rx, vola_item_type: '2', vola_amt: '0.00' })),
    ...f.otherClaims.flatMap((o) =>
      (o.lines ?? []).map((rx) => ({ jrd_id: randomUUID(), patn_id: patnId, mdtrt_id: o.claimId, rx_id: rx, vola_item_type: f.violatingLines.length === 0 ? '1' : '2', vola_amt: '0.00' })),
    ),
  ];
  return {
    jr_id: id,
    rule_id: f.ruleId,
    rule_name: ctx.ruleName(f.ruleId),
    vola_cont: f.message.zh,
    patn_id: patnId,
    mdtrt_id: claim.claimNo,
    vola_amt: formatFen(f.amountFen),
    vola_amt_stas: '1',
    sev_deg: SEVERITY_ZH[f.severity],
    vola_evid: `${f.ruleId} v${f.ruleVersion}${f.status === 'trial' ? ' (试运行, 不扣款)' : ''}: ${f.message.en}`,
    vola_bhvr_type: FAMILY_ZH[f.family] ?? f.family,
    task_id: taskId ?? '',
    judge_result_detail_dtos: detail,
  };
}
