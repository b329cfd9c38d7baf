import { createHash } from 'node:crypto';
import type { Database, Query } from '../db/client.js';
import { canonicalJson } from '../lib/hash.js';

/**
 * The append-only trail of review actions. Each entry's `body` is the canonical JSON of who,
 * when, what, on which case, before and after; its hash is SHA-256(previous hash + "\n" + body),
 * so an edit, a deletion or an insertion anywhere breaks every later link. Appends are serialised
 * by a transaction-level advisory lock taken last in the action's transaction (the lock is held
 * only for the append and the commit). The database refuses UPDATE, DELETE and TRUNCATE.
 */
export const GENESIS = '0'.repeat(64);
const TRAIL_LOCK = 7426105;

export interface TrailInput {
  actor: string;
  action: string;
  caseId: number | null;
  before: unknown;
  after: unknown;
}

export const trailHash = (prev: string, body: string) => createHash('sha256').update(`${prev}\n${body}`, 'utf8').digest('hex');

export async function appendTrail(q: Query, e: TrailInput): Promise<{ seq: number; hash: string }> {
  await q('select pg_advisory_xact_lock($1)', [TRAIL_LOCK]);
  const last = await q<{ hash: string }>('select hash from review_trail order by seq desc limit 1');
  const prev = last[0]?.hash ?? GENESIS;
  const at = new Date().toISOString();
  const body = canonicalJson({ at, actor: e.actor, action: e.action, caseId: e.caseId, before: e.before ?? null, after: e.after ?? null });
  const hash = trailHash(prev, body);
  const rows = await q<{ seq: string }>(
    'insert into review_trail (at, actor, action, case_id, body, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7) returning seq',
    [at, e.actor, e.action, e.caseId, body, prev, hash],
  );
  return { seq: Number(rows[0]!.seq), hash };
}

export interface TrailEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  caseId: number | null;
  before: unknown;
  after: unknown;
  hash: string;
  prevHash: string;
}

export async function readTrail(database: Database, filter: { caseId?: number; afterSeq?: number; limit: number }): Promise<TrailEntry[]> {
  const rows = await database.query<{ seq: string; body: string; hash: string; prev_hash: string }>(
    `select seq, body, hash, prev_hash from review_trail
     where ($1::bigint is null or case_id = $1) and seq > $2 order by seq limit $3`,
    [filter.caseId ?? null, filter.afterSeq ?? 0, filter.limit],
  );
  return rows.map((r) => {
    const b = JSON.parse(r.body) as { at: string; actor: string; action: string; caseId: number | null; before: unknown; after: unknown };
    return { seq: Number(r.seq), at: b.at, actor: b.actor, action: b.action, caseId: b.caseId, before: b.before, after: b.after, hash: r.hash, prevHash: r.prev_hash };
  });
}

/** Walks the whole chain in order: each link, each hash, and each entry's columns against its body. */
export async function verifyTrail(database: Database, batch = 5000) {
  let prev = GENESIS;
  let afterSeq = 0;
  let entries = 0;
  for (;;) {
    const rows = await database.query<{ seq: string; at: string; actor: string; action: string; case_id: string | null; body: string; prev_hash: string; hash: string }>(
      'select seq, actor, action, case_id, body, prev_hash, hash from review_trail where seq > $1 order by seq limit $2',
      [afterSeq, batch],
    );
    for (const r of rows) {
      const seq = Number(r.seq);
      const fail = (problem: string) => ({ ok: false as const, entries, brokenAt: seq, problem });
      if (r.prev_hash !== prev) return fail('its previous hash is not the hash of the entry before it');
      if (trailHash(r.prev_hash, r.body) !== r.hash) return fail('its hash does not match its content');
      const b = JSON.parse(r.body) as { actor: string; action: string; caseId: number | null };
      if (b.actor !== r.actor || b.action !== r.action || (b.caseId ?? null) !== (r.case_id === null ? null : Number(r.case_id)))
        return fail('its columns differ from its hashed body');
      prev = r.hash;
      afterSeq = seq;
      entries++;
    }
    if (rows.length < batch) return { ok: true as const, entries, head: prev };
  }
}
