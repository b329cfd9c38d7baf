import type { Database } from '../db/client.js';
import { maskPersonalData } from '../lib/personal-data.js';

/** One violation answered to the national platform, as stored in national_results. */
export interface NationalResultRow {
  id: string;
  ruleId: string;
  ruleVersion: number;
  severity: string;
  status: string;
  /** yuan, as a decimal string */
  amount: string;
  message: { zh: string; en: string };
  violatingLines: string[];
  involvedLines: string[];
}

/** A result as the insert's jsonb_to_recordset reads it. */
const resultRecord = (r: NationalResultRow) => ({
  id: r.id,
  rule: r.ruleId,
  ver: r.ruleVersion,
  sev: r.severity,
  st: r.status,
  amt: r.amount,
  msg: r.message,
  vl: r.violatingLines,
  il: r.involvedLines,
});

const INSERT_REVIEW = `
with r as (
  insert into national_reviews (id, infno, msgid, task_id, institution_id, visit_id, person_hash, client_id, results)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
)
insert into national_results (id, review_id, rule_id, rule_version, severity, status, amount, message, violating_lines, involved_lines)
select x.id, $1, x.rule, x.ver, x.sev, x.st, x.amt, x.msg, x.vl, x.il
from jsonb_to_recordset($10::jsonb) as x(id uuid, rule text, ver int, sev text, st text, amt numeric, msg jsonb, vl jsonb, il jsonb)`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createNationalRepository({ database }: { database: Database }) {
  return {
    /** the review and its results in one statement: what was answered is what is stored */
    async insertReview(r: {
      id: string;
      infno: string;
      msgid?: string | undefined;
      taskId?: string | undefined;
      institutionId: string;
      visitId: string;
      personHash: string;
      clientId: string | null;
      results: NationalResultRow[];
    }) {
      await database.query(INSERT_REVIEW, [
        r.id,
        r.infno,
        r.msgid ?? null,
        r.taskId ?? null,
        r.institutionId,
        r.visitId,
        r.personHash,
        r.clientId,
        JSON.stringify(r.results.map((x) => ({ id: x.id, rule: x.ruleId, amt: x.amount }))),
        JSON.stringify(r.results.map(resultRecord)),
      ]);
    },

    /** Which of the ids answered earlier: a national result, or a finding on a stored claim. */
    async kindsOf(ids: string[]): Promise<Map<string, 'national' | 'claim'>> {
      const valid = ids.filter((id) => UUID.test(id));
      if (valid.length === 0) return new Map();
      const rows = await database.query<{ id: string; kind: 'national' | 'claim' }>(
        `select id::text, 'national' as kind from national_results where id = any($1::uuid[])
         union all select id::text, 'claim' from findings where id = any($1::uuid[])`,
        [valid],
      );
      return new Map(rows.map((r) => [r.id, r.kind]));
    },

    async insertFeedback(items: { resultId: string; kind: 'national' | 'claim'; disposition: string; reason?: string | undefined }[], clientId: string | null) {
      await database.query(
        `insert into national_feedback (result_id, kind, disposition, reason, client_id)
         select x.id, x.kind, x.way, x.why, $2 from jsonb_to_recordset($1::jsonb) as x(id uuid, kind text, way text, why text)`,
        [JSON.stringify(items.map((i) => ({ id: i.resultId, kind: i.kind, way: i.disposition, why: i.reason === undefined ? null : maskPersonalData(i.reason) }))), clientId],
      );
    },
  };
}

export type NationalRepository = ReturnType<typeof createNationalRepository>;
