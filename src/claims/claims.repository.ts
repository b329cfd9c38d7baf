import type { Claim } from '../../rules/claim.js';
import type { Database } from '../db/client.js';
import { formatFen, formatMilli } from '../lib/money.js';
import { isoInstant } from '../lib/time.js';
import type { RetrospectiveFinding, StoredFinding } from '../screening/findings.js';
import type { ClaimAnswer } from './answer.js';

export interface ScreenedClaim {
  id: string;
  claim: Claim;
  contentHash: string;
  clientId: string | null;
  body: unknown;
  answer: ClaimAnswer;
  findings: StoredFinding[];
  retrospective: RetrospectiveFinding[];
}

export type InsertOutcome =
  | { inserted: true }
  | { inserted: false; existing: { id: string; contentHash: string; answer: ClaimAnswer } };

// The claim, its lines, its answer and its findings (and retrospective findings on the earlier
// claims they name) go in as one statement: one round trip, one implicit transaction, so a 2xx
// always means all of it is committed. ON CONFLICT makes concurrent identical submissions store
// one claim; the losers then read the winner's row.
const INSERT_CLAIM = `
with ins as (
  insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at,
    service_month, main_diagnosis, total_amount, payable_amount, decision, content_hash, client_id,
    body, answer)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16::jsonb)
  on conflict (institution_id, claim_no) do nothing
  returning id
), lines as (
  insert into claim_lines (claim_id, line_no, line_id, institution_id, person_hash, item_code,
    hospital_item_code, hospital_item_name, category, service_at, service_date, quantity,
    unit_price, amount)
  select ins.id, l.n, l.id, $2, $4, l.item, l.hcode, l.hname, l.cat, l.at, l.day, l.qty, l.price, l.amt
  from ins, jsonb_to_recordset($17::jsonb) as l(n int, id text, item text, hcode text, hname text,
    cat text, at timestamptz, day date, qty numeric, price numeric, amt numeric)
), own as (
  insert into findings (id, claim_id, source_claim_id, retrospective, rule_id, rule_version, family,
    severity, status, message, violating_lines, involved_lines, other_claims, amount, service_month)
  select f.id, ins.id, ins.id, false, f.rule, f.ver, f.fam, f.sev, f.st, f.msg, f.vl, f.il, f.oc, f.amt, $8
  from ins, jsonb_to_recordset($18::jsonb) as f(id uuid, rule text, ver int, fam text, sev text, st text,
    msg jsonb, vl jsonb, il jsonb, oc jsonb, amt numeric)
), retro as (
  insert into findings (id, claim_id, source_claim_id, retrospective, rule_id, rule_version, family,
    severity, status, message, violating_lines, involved_lines, other_claims, amount, service_month)
  select f.id, c.id, ins.id, true, f.rule, f.ver, f.fam, f.sev, f.st, f.msg, f.vl, f.il, f.oc, f.amt, c.service_month
  from ins, jsonb_to_recordset($19::jsonb) as f(id uuid, inst text, cno text, rule text, ver int, fam text,
    sev text, st text, msg jsonb, vl jsonb, il jsonb, oc jsonb, amt numeric)
  join claims c on c.institution_id = f.inst and c.claim_no = f.cno
)
select id from ins`;

const SELECT_BY_KEY = `
select id, content_hash, answer, body from claims where institution_id = $1 and claim_no = $2`;

export function createClaimsRepository({ database }: { database: Database }) {
  return {
    async insertScreened(s: ScreenedClaim): Promise<InsertOutcome> {
      const c = s.claim;
      const lines = c.lines.map((l) => ({
        n: l.lineNo,
        id: l.lineId,
        item: l.itemCode,
        hcode: l.hospitalItemCode ?? null,
        hname: l.hospitalItemName ?? null,
        cat: l.category,
        at: isoInstant(l.serviceAt),
        day: l.serviceDate,
        qty: formatMilli(l.quantity),
        price: formatMilli(l.unitPrice),
        amt: formatFen(l.amountFen),
      }));
      const rows = await database.query(INSERT_CLAIM, [
        s.id,
        c.institutionId,
        c.claimNo,
        c.personHash,
        c.visitType,
        isoInstant(c.startedAt),
        isoInstant(c.endedAt),
        s.answer.serviceMonth,
        c.mainDiagnosis ?? null,
        formatFen(c.totalFen),
        s.answer.payableAmount,
        s.answer.decision,
        s.contentHash,
        s.clientId,
        JSON.stringify(s.body),
        JSON.stringify(s.answer),
        JSON.stringify(lines),
        JSON.stringify(s.findings),
        JSON.stringify(s.retrospective),
      ]);
      if (rows.length > 0) return { inserted: true };
      const existing = await this.findByKey(c.institutionId, c.claimNo);
      if (!existing) throw new Error('claim conflicted on insert but cannot be read back');
      return { inserted: false, existing };
    },

    async findByKey(institutionId: string, claimNo: string) {
      const rows = await database.query<{ id: string; content_hash: string; answer: unknown; body: unknown }>(
        SELECT_BY_KEY,
        [institutionId, claimNo],
      );
      const row = rows[0];
      if (!row) return undefined;
      return {
        id: row.id,
        contentHash: row.content_hash,
        answer: parseJson(row.answer) as ClaimAnswer,
        body: parseJson(row.body),
      };
    },
  };
}

const LATER_FINDINGS = `
select f.id, f.rule_id, f.rule_version, f.family, f.severity, f.status, f.message, f.violating_lines,
       f.involved_lines, f.other_claims, f.amount::text, f.created_at::text, s.institution_id as src_inst, s.claim_no as src_claim
from findings f join claims s on s.id = f.source_claim_id
where f.claim_id = $1 and f.retrospective order by f.created_at, f.id`;

/** Findings filed on a claim after it was answered, because a later claim revealed a conflict. */
export async function laterFindings(database: Database, claimId: string) {
  const rows = await database.query<Record<string, unknown>>(LATER_FINDINGS, [claimId]);
  return rows.map((r) => ({
    id: String(r.id),
    ruleId: String(r.rule_id),
    ruleVersion: Number(r.rule_version),
    family: String(r.family),
    severity: r.severity as 'violation' | 'high' | 'medium' | 'low',
    status: r.status as 'active' | 'trial',
    message: parseJson(r.message) as { zh: string; en: string },
    violatingLines: parseJson(r.violating_lines) as string[],
    involvedLines: parseJson(r.involved_lines) as string[],
    otherClaims: parseJson(r.other_claims) as { institutionId: string; claimId: string; lines?: string[] }[],
    amount: String(r.amount),
    foundAt: String(r.created_at),
    foundBy: { institutionId: String(r.src_inst), claimId: String(r.src_claim) },
  }));
}

export type ClaimsRepository = ReturnType<typeof createClaimsRepository>;

// postgres.js returns jsonb parsed; PGlite too, but a driver may hand back text.
const parseJson = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
