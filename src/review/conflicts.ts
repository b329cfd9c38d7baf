import type { Database, Query } from '../db/client.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { Person } from './identity.js';
import { appendTrail } from './trail.js';
import { maskPersonalData } from '../lib/personal-data.js';

export const CONFLICT_KINDS = ['kin', 'economic', 'other'] as const;

/**
 * Declared conflicts of interest (kin, economic or other interest in an institution). A declared
 * person is never drawn that institution's cases, may not conclude or second-review them, and any
 * of its cases they hold go back to the pool in the same transaction.
 */
export function createReviewConflicts({ database, afterCommit = () => {} }: { database: Database; afterCommit?: () => void }) {
  const act = async <R>(fn: (q: Query) => Promise<R>): Promise<R> => {
    const result = await database.transaction(fn);
    afterCommit();
    return result;
  };
  return {
    async declare(by: Person, sent: { person?: string | undefined; institutionId: string; kind: (typeof CONFLICT_KINDS)[number]; note: string }) {
      const input = { ...sent, note: maskPersonalData(sent.note) };
      const person = input.person ?? by.name;
      if (person !== by.name && by.role !== 'supervisor' && by.role !== 'admin') throw new ForbiddenError('Only a supervisor or an admin may declare a conflict for another person');
      return act(async (q) => {
        const row = (
          await q<{ id: string }>('insert into review_conflicts (person, institution_id, kind, note, declared_by) values ($1, $2, $3, $4, $5) returning id', [
            person,
            input.institutionId,
            input.kind,
            input.note,
            by.name,
          ])
        )[0]!;
        const id = Number(row.id);
        await appendTrail(q, { actor: by.name, action: 'conflict.declare', caseId: null, before: null, after: { id, person, institutionId: input.institutionId, kind: input.kind, note: input.note } });
        const held = await q<{ id: string; status: string; assignee: string }>(
          `update review_cases c set status = 'open', assignee = null, assigned_at = null, updated_at = now()
           from (select id, status, assignee from review_cases where assignee = $1 and institution_id = $2 and status in ('assigned', 'returned') for update) o
           where c.id = o.id returning o.id, o.status, o.assignee`,
          [person, input.institutionId],
        );
        for (const h of held)
          await appendTrail(q, {
            actor: by.name,
            action: 'case.release',
            caseId: Number(h.id),
            before: { status: h.status, assignee: h.assignee, finalOutcome: null },
            after: { status: 'open', assignee: null, finalOutcome: null, reason: `conflict of interest ${id} declared` },
          });
        return { id, person, institutionId: input.institutionId, kind: input.kind, note: input.note, declaredBy: by.name, released: held.map((h) => Number(h.id)) };
      });
    },

    async withdraw(by: Person, id: number, said: string) {
      const reason = maskPersonalData(said);
      return act(async (q) => {
        const rows = await q<{ id: string; person: string; institution_id: string }>(
          `update review_conflicts set withdrawn_at = now(), withdrawn_by = $2 where id = $1 and withdrawn_at is null returning id, person, institution_id`,
          [id, by.name],
        );
        if (!rows[0]) throw new NotFoundError(`No declared conflict ${id} in force`);
        await appendTrail(q, { actor: by.name, action: 'conflict.withdraw', caseId: null, before: { id, withdrawn: false }, after: { id, withdrawn: true, reason } });
        return { id, withdrawn: true };
      });
    },

    async list(filter: { person?: string | undefined; institutionId?: string | undefined }) {
      const rows = await database.query<Record<string, unknown>>(
        `select id, person, institution_id, kind, note, declared_by, (extract(epoch from declared_at) * 1000)::float8 as at_ms,
                (extract(epoch from withdrawn_at) * 1000)::float8 as withdrawn_ms, withdrawn_by
         from review_conflicts where ($1::text is null or person = $1) and ($2::text is null or institution_id = $2) order by id`,
        [filter.person ?? null, filter.institutionId ?? null],
      );
      return rows.map((r) => ({
        id: Number(r.id),
        person: String(r.person),
        institutionId: String(r.institution_id),
        kind: String(r.kind),
        note: String(r.note),
        declaredBy: String(r.declared_by),
        declaredAt: new Date(Number(r.at_ms)).toISOString(),
        withdrawnAt: r.withdrawn_ms === null ? null : new Date(Number(r.withdrawn_ms)).toISOString(),
        withdrawnBy: (r.withdrawn_by as string | null) ?? null,
      }));
    },
  };
}

export type ReviewConflicts = ReturnType<typeof createReviewConflicts>;
