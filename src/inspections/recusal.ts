import type { Database } from '../db/client.js';

export interface Conflict {
  personId: string;
  institutionId: string;
}

/**
 * The conflicts of interest in force: the people who must recuse themselves from an institution.
 * The draws read the review queue's declarations (review_conflicts, src/review/conflicts.ts), so
 * one declaration keeps a person from an institution's cases and from inspecting it.
 */
export type ConflictSource = (personIds: readonly string[], institutionIds: readonly string[]) => Promise<Conflict[]>;

export function createConflictSource(database: Database): ConflictSource {
  return async (personIds, institutionIds) => {
    if (personIds.length === 0 || institutionIds.length === 0) return [];
    const rows = await database.query<{ person: string; institution_id: string }>(
      `select distinct person, institution_id from review_conflicts
       where withdrawn_at is null and person = any($1::text[]) and institution_id = any($2::text[])
       order by person, institution_id`,
      [personIds, institutionIds],
    );
    return rows.map((r) => ({ personId: r.person, institutionId: r.institution_id }));
  };
}
