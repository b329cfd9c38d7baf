import type { Database } from '../db/client.js';
import type { FieldIssue } from '../errors.js';

/**
 * Refused submissions are counted per institution for the data-quality report. Only the
 * institution and claim id (when readable) and the error paths are kept: never the body, which
 * carries personal data.
 */
export function createRejectionsRepository({ database, onRecord }: { database: Database; /** counts each refusal (the service's metric) */ onRecord?: (channel: string) => void }) {
  return {
    /** Counts and records one refused submission: a body that is not JSON, fails the schema or the clock's checks. */
    async record(r: { channel: string; raw: unknown; issues: FieldIssue[]; requestId: string | undefined }) {
      onRecord?.(r.channel);
      const raw = (r.raw && typeof r.raw === 'object' ? r.raw : {}) as Record<string, unknown>;
      const short = (v: unknown) => (typeof v === 'string' && v.length <= 64 && !/[\u0000-\u001F]/.test(v) && !LONE_SURROGATE.test(v) ? v : null);
      await database.query(
        `insert into rejected_submissions (channel, institution_id, claim_no, error_count, errors, request_id)
         values ($1, $2, $3, $4, $5::jsonb, $6)`,
        [
          r.channel,
          short(raw.institutionId),
          short(raw.claimId),
          r.issues.length,
          JSON.stringify(r.issues.slice(0, 50).map((i) => ({ path: storable(i.path, 200), message: storable(i.message, 300) }))),
          r.requestId ?? null,
        ],
      );
    },
  };
}

/**
 * Paths and messages can quote what the caller sent (an unknown key, a line id): jsonb refuses NUL
 * and lone surrogates, and cutting at a length can split a surrogate pair, so both are replaced.
 */
function storable(text: string, max: number): string {
  return text
    .slice(0, max)
    .replace(LONE_SURROGATE_G, '\uFFFD')
    .replace(/\u0000/g, '\uFFFD');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_G = new RegExp(LONE_SURROGATE.source, 'g');

export type RejectionsRepository = ReturnType<typeof createRejectionsRepository>;
