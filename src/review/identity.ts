import type { Actor } from '../auth/api-keys.js';
import type { Database, Query } from '../db/client.js';
import { ForbiddenError } from '../errors.js';

/**
 * Who acts. Review staff hold personal API keys: a key's client name is the person's name (one
 * person, one name; keys are created with `npm run keys -- create --name "Li Na" --role auditor
 * --by "<admin>"`), and the key's role is the person's role. Every review action is recorded
 * under that name. Settlement systems keep system keys; an appeal is recorded under the client name.
 */
export interface Person {
  name: string;
  role: Actor['role'];
  keyId: string;
  /** an institution's own key: its institution (docs/review-money.md, appeals) */
  institutionId?: string;
}

export const personOf = (actor: Actor): Person => ({ name: actor.clientName, role: actor.role, keyId: actor.clientId, ...(actor.institutionId ? { institutionId: actor.institutionId } : {}) });

/**
 * Separation of duties: whoever changed rules or parameters (rule_settings.changed_by) or created
 * keys (api_keys.created_by) may not conclude or second-review cases. Returns why, or null.
 */
export const CONCLUDE_BAR_SQL = `select 'changed rule settings' as what from rule_settings where changed_by = $1
     union all select 'created API keys' from api_keys where created_by = $1 limit 1`;

export async function concludeBar(q: Query | Database['query'], person: Person): Promise<string | null> {
  if (person.role !== 'auditor' && person.role !== 'supervisor') return `the role ${person.role} does not review cases`;
  const rows = await q<{ what: string }>(CONCLUDE_BAR_SQL, [person.name]);
  return rows[0] ? `${person.name} ${rows[0].what}, and whoever changes rules, parameters or keys may not conclude cases` : null;
}

export async function assertMayConclude(q: Query, person: Person) {
  const bar = await concludeBar(q, person);
  if (bar) throw new ForbiddenError(`Separation of duties: ${bar}`);
}

export async function assertNoConflict(q: Query, person: Person, institutionId: string) {
  const rows = await q('select 1 from review_conflicts where person = $1 and institution_id = $2 and withdrawn_at is null limit 1', [person.name, institutionId]);
  if (rows.length > 0) throw new ForbiddenError(`${person.name} declared a conflict of interest with ${institutionId} and must recuse`);
}
