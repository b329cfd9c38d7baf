import { randomBytes } from 'node:crypto';
import type { Actor, ApiKeyStore, Role } from '../auth/api-keys.js';
import type { Database } from '../db/client.js';
import { sha256 } from '../lib/hash.js';

export const SESSION_COOKIE = 'cs_session';
/** Roles that work at the desk; the settlement system's keys cannot sign in. */
export const DESK_ROLES: readonly Role[] = ['auditor', 'supervisor', 'admin'];

/**
 * Page sessions: a personal API key is exchanged once for a random token kept in an HttpOnly
 * cookie. Only the token's hash is stored, and the key's person and role are read with the session
 * on every request, so a revoked key ends its sessions at once.
 */
export function createPageSessions({ database, keys, ttlMs = 8 * 60 * 60 * 1000, now = Date.now }: { database: Database; keys: ApiKeyStore; ttlMs?: number; now?: () => number }) {
  return {
    async signIn(key: string): Promise<{ token: string; actor: Actor } | undefined> {
      const actor = await keys.authenticate(key);
      if (!actor || !DESK_ROLES.includes(actor.role)) return undefined;
      const token = randomBytes(32).toString('base64url');
      await database.query('insert into page_sessions (token_hash, client_id, expires_at) values ($1, $2, $3)', [sha256(token), actor.clientId, new Date(now() + ttlMs).toISOString()]);
      return { token, actor };
    },

    async actor(token: string | undefined): Promise<Actor | undefined> {
      if (!token || token.length > 100) return undefined;
      const [row] = await database.query<{ id: string; client_name: string; role: Role }>(
        `select k.id, k.client_name, k.role from page_sessions s join api_keys k on k.id = s.client_id
         where s.token_hash = $1 and s.ended_at is null and s.expires_at > $2 and k.revoked_at is null`,
        [sha256(token), new Date(now()).toISOString()],
      );
      return row && DESK_ROLES.includes(row.role) ? { clientId: row.id, clientName: row.client_name, role: row.role } : undefined;
    },

    async signOut(token: string | undefined): Promise<void> {
      if (!token) return;
      await database.query('update page_sessions set ended_at = now() where token_hash = $1 and ended_at is null', [sha256(token)]);
    },
  };
}

export type PageSessions = ReturnType<typeof createPageSessions>;
