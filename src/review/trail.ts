import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database, Query } from '../db/client.js';
import { canonicalJson } from '../lib/hash.js';

/**
 * The append-only trail of review actions, in two insert-only tables.
 *
 * `review_trail`: each action inserts its entry in its own transaction, without any lock: `body`
 * is the canonical JSON of who, when, what, on which case, before and after; `txid` is the
 * inserting transaction's id.
 *
 * `review_trail_seals`: the hash chain. A sealer (one at a time across all instances: an advisory
 * lock) gives each committed entry not yet sealed the next chain position and
 * hash = SHA-256(previous hash + "\n" + body), so an edit, a deletion or an insertion anywhere
 * breaks every later link. The chain's order is the seals' own (positions 1, 2, …), not `seq`: an
 * action that drew its seq early may commit late, and is sealed when it has. Which entries to look
 * at without scanning the whole trail: each sealing records the oldest transaction still running
 * when it looked (its snapshot's xmin, the `horizon`); every entry of an older transaction had
 * committed (or rolled back) by then and was sealed by that run or an earlier one, so the next run
 * looks only at entries with `txid >= horizon`.
 *
 * The sealer runs soon after each action commits (at most SEAL_NUDGE_DELAY_MS later, coalescing:
 * under 20 auditors drawing at once, sealing each commit's entry in its own run cost PostgreSQL
 * ~580 µs per draw of the ~1.6 ms a draw cost it in all; a run every 50 ms seals them in batches)
 * and on a short interval as a backstop; `trail:verify` and the trail endpoints seal before they read.
 * The database refuses UPDATE, DELETE and TRUNCATE on both tables; the service deletes nothing.
 */
export const GENESIS = '0'.repeat(64);
const TRAIL_LOCK = 7426105;
export const SEAL_INTERVAL_MS = 1000;
export const SEAL_NUDGE_DELAY_MS = 50;

export interface TrailInput {
  actor: string;
  action: string;
  caseId: number | null;
  before: unknown;
  after: unknown;
}

export const trailHash = (prev: string, body: string) => createHash('sha256').update(`${prev}\n${body}`, 'utf8').digest('hex');

/** Inserts the entry in the caller's transaction; no lock, so concurrent actions do not wait for each other. */
export async function appendTrail(q: Query, e: TrailInput): Promise<{ seq: number }> {
  const at = new Date().toISOString();
  const body = canonicalJson({ at, actor: e.actor, action: e.action, caseId: e.caseId, before: e.before ?? null, after: e.after ?? null });
  const rows = await q<{ seq: string }>('insert into review_trail (at, actor, action, case_id, body) values ($1, $2, $3, $4, $5) returning seq', [at, e.actor, e.action, e.caseId, body]);
  return { seq: Number(rows[0]!.seq) };
}

export interface SealResult {
  sealed: number;
  /** the chain's length and last hash after this run */
  position: number;
  head: string;
}

/**
 * Seals every committed entry not yet sealed, in one transaction under the trail's advisory lock.
 * Cheap when there is nothing to seal: one indexed read, no lock, no write.
 */
export async function sealTrail(database: Database): Promise<SealResult> {
  const probe = await database.query<{ n: number }>(
    `select count(*)::int as n from review_trail t
     where t.txid >= coalesce((select horizon from review_trail_seals order by position desc limit 1), 0)
       and not exists (select 1 from review_trail_seals s where s.entry_seq = t.seq)`,
  );
  if (Number(probe[0]?.n ?? 0) === 0) {
    const head = await database.query<{ position: string; hash: string }>('select position, hash from review_trail_seals order by position desc limit 1');
    return { sealed: 0, position: Number(head[0]?.position ?? 0), head: head[0]?.hash ?? GENESIS };
  }
  return database.transaction(async (q) => {
    await q('select pg_advisory_xact_lock($1)', [TRAIL_LOCK]);
    // After the lock, so the last sealer's commit is seen. The horizon is read no later than the
    // entries: every transaction older than it had ended before they were read.
    const head = (
      await q<{ position: string | null; hash: string | null; horizon: string | null; now_horizon: string }>(
        `select s.position, s.hash, s.horizon, pg_snapshot_xmin(pg_current_snapshot())::text as now_horizon
       from (select 1) one left join (select position, hash, horizon from review_trail_seals order by position desc limit 1) s on true`,
      )
    )[0]!;
    const entries = await q<{ seq: string; body: string }>(
      `select t.seq, t.body from review_trail t
       where t.txid >= $1::bigint and not exists (select 1 from review_trail_seals s where s.entry_seq = t.seq)
       order by t.seq`,
      [head.horizon ?? '0'],
    );
    let prev = head.hash ?? GENESIS;
    let position = Number(head.position ?? 0);
    if (entries.length === 0) return { sealed: 0, position, head: prev };
    const seals = entries.map((e) => {
      const hash = trailHash(prev, e.body);
      const seal = { position: ++position, seq: Number(e.seq), prev, hash };
      prev = hash;
      return seal;
    });
    await q(
      `insert into review_trail_seals (position, entry_seq, prev_hash, hash, horizon)
       select s.position, s.seq, s.prev, s.hash, $2::bigint from jsonb_to_recordset($1::jsonb) as s(position bigint, seq bigint, prev text, hash text)`,
      [JSON.stringify(seals), head.now_horizon],
    );
    return { sealed: seals.length, position, head: prev };
  });
}

/**
 * Seals in the background: `seal()` resolves after a run that started after the call (so it covers
 * every action committed before it); calls while a run is in flight share the one run after it.
 */
export function createTrailSealer({
  database,
  logger,
  intervalMs = SEAL_INTERVAL_MS,
  nudgeDelayMs = SEAL_NUDGE_DELAY_MS,
}: {
  database: Database;
  logger: Logger;
  intervalMs?: number;
  nudgeDelayMs?: number;
}) {
  let running: Promise<SealResult> | undefined;
  let next: Promise<SealResult> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  const run = () => {
    running = sealTrail(database)
      .then((r) => {
        if (failing) logger.info({ sealed: r.sealed }, 'sealing the review trail works again');
        failing = false;
        return r;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const seal = (): Promise<SealResult> => {
    if (!running) return run();
    return (next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return running ?? run();
      }));
  };
  let soon: NodeJS.Timeout | undefined;
  const sealNow = () => {
    seal().catch((err) => {
      // Once per failing spell (the interval retries every second: a database outage would flood the log).
      if (!failing) logger.warn({ err }, 'sealing the review trail failed: the next action or the interval retries');
      failing = true;
    });
  };
  const nudge = () => {
    if (soon) return;
    soon = setTimeout(() => {
      soon = undefined;
      sealNow();
    }, nudgeDelayMs);
    soon.unref();
  };
  return {
    seal,
    /** seals before a read that shows the chain; a failure leaves the read to show entries as pending */
    async trySeal() {
      try {
        await seal();
      } catch (err) {
        logger.warn({ err }, 'sealing the review trail before reading it failed: pending entries show without hashes');
      }
    },
    /** after an action's commit: seal soon (within nudgeDelayMs), without waiting, one run for the commits in between */
    nudge,
    start() {
      timer = setInterval(sealNow, intervalMs);
      timer.unref();
    },
    /** stops the interval and seals what is left */
    async stop() {
      if (timer) clearInterval(timer);
      if (soon) clearTimeout(soon);
      soon = undefined;
      try {
        await seal();
      } catch (err) {
        logger.warn({ err }, 'sealing the review trail at shutdown failed: the next start seals it');
      }
    },
  };
}
export type TrailSealer = ReturnType<typeof createTrailSealer>;

export interface TrailEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  caseId: number | null;
  before: unknown;
  after: unknown;
  /** the entry's place in the hash chain; null until sealed */
  position: number | null;
  hash: string | null;
  prevHash: string | null;
}

export async function readTrail(database: Database, filter: { caseId?: number; afterSeq?: number; limit: number }): Promise<TrailEntry[]> {
  const rows = await database.query<{ seq: string; body: string; position: string | null; hash: string | null; prev_hash: string | null }>(
    `select t.seq, t.body, s.position, s.hash, s.prev_hash from review_trail t left join review_trail_seals s on s.entry_seq = t.seq
     where ($1::bigint is null or t.case_id = $1) and t.seq > $2 order by t.seq limit $3`,
    [filter.caseId ?? null, filter.afterSeq ?? 0, filter.limit],
  );
  return rows.map((r) => {
    const b = JSON.parse(r.body) as { at: string; actor: string; action: string; caseId: number | null; before: unknown; after: unknown };
    return {
      seq: Number(r.seq),
      at: b.at,
      actor: b.actor,
      action: b.action,
      caseId: b.caseId,
      before: b.before,
      after: b.after,
      position: r.position === null ? null : Number(r.position),
      hash: r.hash,
      prevHash: r.prev_hash,
    };
  });
}

export type TrailVerdict = { ok: true; entries: number; head: string; pending: number } | { ok: false; entries: number; pending: number; brokenAt: number; position: number; problem: string };

/**
 * Walks the whole chain in position order: positions without gaps from 1, each link, each hash,
 * and each entry's columns against its hashed body; then counts the entries not yet sealed
 * (`pending`: committed after the last sealing, sealed by the next).
 */
export async function verifyTrail(database: Database, batch = 5000): Promise<TrailVerdict> {
  // One snapshot for the walk and the count, so entries + pending is the trail as of one moment
  // while the service goes on sealing.
  return database.transaction(async (q) => {
    await q('set transaction isolation level repeatable read, read only');
    let prev = GENESIS;
    let position = 0;
    let entries = 0;
    const pendingCount = async () =>
      Number((await q<{ n: number }>('select count(*)::int as n from review_trail t where not exists (select 1 from review_trail_seals s where s.entry_seq = t.seq)'))[0]?.n ?? 0);
    for (;;) {
      const rows = await q<{ position: string; entry_seq: string; prev_hash: string; hash: string; actor: string | null; action: string | null; case_id: string | null; body: string | null }>(
        `select s.position, s.entry_seq, s.prev_hash, s.hash, t.actor, t.action, t.case_id, t.body
         from review_trail_seals s left join review_trail t on t.seq = s.entry_seq where s.position > $1 order by s.position limit $2`,
        [position, batch],
      );
      for (const r of rows) {
        const seq = Number(r.entry_seq);
        const fail = async (problem: string) => ({ ok: false as const, entries, pending: await pendingCount(), brokenAt: seq, position: position + 1, problem });
        if (Number(r.position) !== position + 1) return fail(`the seal at position ${position + 1} is missing`);
        if (r.body === null) return fail('the entry it seals is missing');
        if (r.prev_hash !== prev) return fail('its previous hash is not the hash of the entry before it');
        if (trailHash(r.prev_hash, r.body) !== r.hash) return fail('its hash does not match its content');
        const b = JSON.parse(r.body) as { actor: string; action: string; caseId: number | null };
        if (b.actor !== r.actor || b.action !== r.action || (b.caseId ?? null) !== (r.case_id === null ? null : Number(r.case_id))) return fail('its columns differ from its hashed body');
        prev = r.hash;
        position++;
        entries++;
      }
      if (rows.length < batch) return { ok: true as const, entries, head: prev, pending: await pendingCount() };
    }
  });
}
