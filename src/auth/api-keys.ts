import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { apiKeys } from '../db/schema.js';
import { ValidationError } from '../http/errors.js';
import { sha256 } from '../lib/hash.js';
import { appendTrail } from '../review/trail.js';

export const ROLES = ['settlement', 'auditor', 'supervisor', 'admin', 'institution'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  clientId: string;
  clientName: string;
  role: Role;
  /** an institution's own key (role 'institution'): the institution it speaks for; it reads its own appeals only */
  institutionId?: string;
}

/**
 * Keys are 256 random bits shown once at creation; the database keeps only their SHA-256 (a
 * slow password hash buys nothing against a key with 256 bits of entropy and would cost every
 * request). Lookups are cached briefly so the per-claim path does not query for the key.
 */
export interface ManagedKey {
  id: string;
  clientName: string;
  role: Role;
  keyPrefix: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  /** from the trail's key.revoke entry; null when revoked without one (before the API existed) or not revoked */
  revokedBy: string | null;
}

export type RevokeOutcome = { ok: true; key: ManagedKey } | { ok: false; why: 'missing' | 'revoked' };

const KEY_COLUMNS = `id::text, client_name as "clientName", role, key_prefix as "keyPrefix", created_at as "createdAt", created_by as "createdBy", revoked_at as "revokedAt"`;
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
type KeyRow = Omit<ManagedKey, 'revokedBy'>;
const asKey = (r: KeyRow, revokedBy: string | null = null): ManagedKey => ({ ...r, createdAt: iso(r.createdAt)!, revokedAt: iso(r.revokedAt), revokedBy });

export function createApiKeyStore({ database, cacheTtlMs, now = Date.now, afterCommit = () => {} }: { database: Database; cacheTtlMs: number; now?: () => number; afterCommit?: () => void }) {
  const cache = new Map<string, { actor: Actor | null; until: number }>();
  const { db } = database;
  const newSecret = () => {
    const secret = `cs_${randomBytes(32).toString('base64url')}`;
    return { secret, hash: sha256(secret), prefix: secret.slice(0, 8) };
  };

  return {
    /**
     * An admin's act (the API, the page, `npm run keys`): the key is created and the trail records
     * who created which key, in one transaction. The secret is returned once and never stored.
     */
    async issue(input: { clientName: string; role: Role; institutionId?: string }, by: string): Promise<ManagedKey & { key: string }> {
      if (input.role === 'institution' && !input.institutionId) throw new ValidationError([{ path: 'institutionId', message: 'is required for an institution’s key (the institution it speaks for)' }]);
      if (input.role !== 'institution' && input.institutionId) throw new ValidationError([{ path: 'institutionId', message: 'is only for keys of the role institution' }]);
      const { secret, hash, prefix } = newSecret();
      const row = await database.transaction(async (q) => {
        const [r] = await q<KeyRow>(`insert into api_keys (id, client_name, role, key_hash, key_prefix, created_by, institution_id) values ($1, $2, $3, $4, $5, $6, $7) returning ${KEY_COLUMNS}`, [
          randomUUID(),
          input.clientName,
          input.role,
          hash,
          prefix,
          by,
          input.role === 'institution' ? (input.institutionId ?? null) : null,
        ]);
        await appendTrail(q, {
          actor: by,
          action: 'key.create',
          caseId: null,
          before: null,
          after: { id: r!.id, clientName: r!.clientName, role: r!.role, keyPrefix: prefix, ...(input.role === 'institution' ? { institutionId: input.institutionId } : {}) },
        });
        return r!;
      });
      afterCommit();
      return { ...asKey(row), key: secret };
    },

    /** An admin's act: revoked at once on this instance (its cache is cleared), on others within their AUTH_CACHE_TTL_MS. */
    async revokeAs(id: string, by: string): Promise<RevokeOutcome> {
      const outcome = await database.transaction(async (q): Promise<RevokeOutcome> => {
        const [r] = await q<KeyRow>(`update api_keys set revoked_at = now() where id = $1 and revoked_at is null returning ${KEY_COLUMNS}`, [id]);
        if (!r) {
          const exists = await q('select 1 from api_keys where id = $1', [id]);
          return { ok: false, why: exists.length > 0 ? 'revoked' : 'missing' };
        }
        await appendTrail(q, { actor: by, action: 'key.revoke', caseId: null, before: { id, clientName: r.clientName, role: r.role, revoked: false }, after: { id, revoked: true } });
        return { ok: true, key: asKey(r, by) };
      });
      cache.clear();
      if (outcome.ok) afterCommit();
      return outcome;
    },

    /** Every key, oldest first, with who created and who revoked it. */
    async manage(): Promise<ManagedKey[]> {
      const rows = await database.query<KeyRow>(`select ${KEY_COLUMNS} from api_keys order by created_at, id`);
      // key actions are the trail's entries without a case (review_trail_case_idx)
      const revokers = new Map(
        (await database.query<{ actor: string; body: string }>(`select actor, body from review_trail where case_id is null and action = 'key.revoke'`)).map((e) => [
          (JSON.parse(e.body) as { after: { id: string } }).after.id,
          e.actor,
        ]),
      );
      return rows.map((r) => asKey(r, revokers.get(r.id) ?? null));
    },

    /** The key actions recorded in the trail, newest first. */
    async trail(limit = 200) {
      const rows = await database.query<{ seq: string; at: string; actor: string; action: string; body: string }>(
        `select seq, at, actor, action, body from review_trail where case_id is null and action like 'key.%' order by seq desc limit $1`,
        [limit],
      );
      return rows.map((r) => {
        const b = JSON.parse(r.body) as { before: Record<string, unknown> | null; after: Record<string, unknown> };
        return {
          seq: Number(r.seq),
          at: iso(r.at)!,
          actor: r.actor,
          action: r.action as 'key.create' | 'key.revoke',
          keyId: String(b.after.id),
          clientName: String(b.after.clientName ?? b.before?.clientName ?? ''),
          role: String(b.after.role ?? b.before?.role ?? ''),
        };
      });
    },

    /** Fixtures (tests, benches, the demo): a key without a trail entry. People's keys go through `issue`. */
    async create(input: { clientName: string; role: Role; createdBy: string; institutionId?: string }) {
      const secret = `cs_${randomBytes(32).toString('base64url')}`;
      const id = randomUUID();
      await db.insert(apiKeys).values({
        id,
        clientName: input.clientName,
        role: input.role,
        keyHash: sha256(secret),
        keyPrefix: secret.slice(0, 8),
        createdBy: input.createdBy,
        institutionId: input.institutionId ?? null,
      });
      return { id, key: secret };
    },

    /** Fixtures: revoked without a trail entry. People revoke through `revokeAs`. */
    async revoke(id: string) {
      const rows = await db
        .update(apiKeys)
        .set({ revokedAt: new Date().toISOString() })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      cache.clear();
      return rows.length > 0;
    },

    async list() {
      return db
        .select({
          id: apiKeys.id,
          clientName: apiKeys.clientName,
          role: apiKeys.role,
          keyPrefix: apiKeys.keyPrefix,
          createdAt: apiKeys.createdAt,
          revokedAt: apiKeys.revokedAt,
        })
        .from(apiKeys)
        .orderBy(apiKeys.createdAt);
    },

    async authenticate(key: string): Promise<Actor | null> {
      const hash = sha256(key);
      const t = now();
      const hit = cache.get(hash);
      if (hit && hit.until > t) return hit.actor;
      const rows = await database.query<{ id: string; client_name: string; role: Role; institution_id: string | null }>(
        'select id, client_name, role, institution_id from api_keys where key_hash = $1 and revoked_at is null',
        [hash],
      );
      const row = rows[0];
      const actor: Actor | null = row ? { clientId: row.id, clientName: row.client_name, role: row.role, ...(row.institution_id ? { institutionId: row.institution_id } : {}) } : null;
      if (cacheTtlMs > 0) {
        if (cache.size > 10_000) cache.clear();
        cache.set(hash, { actor, until: t + cacheTtlMs });
      }
      return actor;
    },
  };
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
