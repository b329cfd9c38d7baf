import type { Database } from '../db/client.js';
import type { FieldIssue } from '../http/errors.js';

/**
 * Refused submissions are counted per institution for the data-quality report. Only the
 * institution and claim id (when readable) and the error paths are kept: never the body, which
 * carries personal data.
 */
export function createRejectionsRepository({ database }: { database: Database }) {
  return {
    async record(r: { channel: string; raw: unknown; issues: FieldIssue[]; requestId: string | undefined }) {
      const raw = (r.raw && typeof r.raw === 'object' ? r.raw : {}) as Record<string, unknown>;
      const short = (v: unknown) => (typeof v === 'string' && v.length <= 64 && !/[\u0000-\u001F]/.test(v) ? v : null);
      await database.query(
        `insert into rejected_submissions (channel, institution_id, claim_no, error_count, errors, request_id)
         values ($1, $2, $3, $4, $5::jsonb, $6)`,
        [
          r.channel,
          short(raw.institutionId),
          short(raw.claimId),
          r.issues.length,
          JSON.stringify(r.issues.slice(0, 50).map((i) => ({ path: i.path.slice(0, 200), message: i.message.slice(0, 300) }))),
          r.requestId ?? null,
        ],
      );
    },
  };
}

export type RejectionsRepository = ReturnType<typeof createRejectionsRepository>;
