import type { Database } from '../db/client.js';

/**
 * Who may inspect: named people holding an active auditor or supervisor key. The one place the
 * draws learn who the inspectors are.
 */
export type InspectorRoster = () => Promise<string[]>;

export function createInspectorRoster(database: Database): InspectorRoster {
  return async () => {
    const rows = await database.query<{ client_name: string }>(`select distinct client_name from api_keys where revoked_at is null and role in ('auditor', 'supervisor') order by client_name`);
    return rows.map((r) => r.client_name);
  };
}
