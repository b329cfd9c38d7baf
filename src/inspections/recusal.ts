import type { Database } from '../db/client.js';

export interface Conflict {
  personId: string;
  institutionId: string;
}

/**
 * The conflicts of interest in force: the people who must recuse themselves from an institution.
 * The one place the draws learn of declared conflicts, so the queue's declarations are the
 * draws' too.
 */
export type ConflictSource = (personIds: readonly string[], institutionIds: readonly string[]) => Promise<Conflict[]>;

export function createConflictSource(_database: Database): ConflictSource {
  return async () => [];
}
