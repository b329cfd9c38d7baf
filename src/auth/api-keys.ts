import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { apiKeys } from '../db/schema.js';
import { sha256 } from '../lib/hash.js';

export const ROLES = ['settlement', 'auditor', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  clientId: string;
  clientName: string;
  role: Role;
}

/**
 * Keys are 256 random bits shown once at creation; the database keeps only their SHA-256 (a
 * slow password hash buys nothing against a key with 256 bits of entropy and would cost every
 * request). Lookups are cached briefly so the per-claim path does not query for the key.
 */
export function createApiKeyStore({ database, cacheTtlMs, now = Date.now }: { database: Database; cacheTtlMs: number; now?: () => number }) {
  const cache = new Map<string, { actor: Actor | null; until: number }>();
  const { db } = database;

  return {
    async create(input: { clientName: string; role: Role; createdBy: string }) {
      const secret = `cs_${randomBytes(32).toString('base64url')}`;
      const id = randomUUID();
      await db.insert(apiKeys).values({
        id,
        clientName: input.clientName,
        role: input.role,
        keyHash: sha256(secret),
        keyPrefix: secret.slice(0, 8),
        createdBy: input.createdBy,
      });
      return { id, key: secret };
    },

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
      const rows = await database.query<{ id: string; client_name: string; role: Role }>(
        'select id, client_name, role from api_keys where key_hash = $1 and revoked_at is null',
        [hash],
      );
      const row = rows[0];
      const actor = row ? { clientId: row.id, clientName: row.client_name, role: row.role } : null;
      if (cacheTtlMs > 0) {
        if (cache.size > 10_000) cache.clear();
        cache.set(hash, { actor, until: t + cacheTtlMs });
      }
      return actor;
    },
  };
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
