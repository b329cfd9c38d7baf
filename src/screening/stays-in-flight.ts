import type { Claim } from '../../rules/claim.js';
import { uuid7 } from '../lib/uuid7.js';

const DAY = 86_400_000;
const CST = 8 * 3_600_000;
/** the CST day of an instant, as a day number (the database's `(t at time zone 'UTC' + 8 h)::date`) */
const dayOf = (ms: number) => Math.floor((ms + CST) / DAY);

/**
 * The stays this process has accepted and not yet finished, by institution, in the order accepted,
 * for BED-CENSUS (rules/institution/bed-census.ts): a stay is judged against every stay of its
 * institution accepted before it by this process, stored or still being screened, and against no
 * stay accepted after it.
 *
 * The midnight census read from the database (institution_nights, src/screening/history.repository.ts)
 * counts the stays committed when the history statement takes its snapshot; stays screened side by
 * side (the history and write batchers run several statements at once) are not among them. The
 * read corrects the count in the same statement, so in the same snapshot, by claim identity:
 *
 * - each stay accepted before this one and not finished (`pend`) counts when its key is not in
 *   claim_keys yet (stored by then, it is in the running counts already; a replay or a conflicting
 *   copy of a stored claim finds the stored one, counted there once);
 * - each stay accepted after this one (`laterNo`/`laterId`) is taken off when claim_keys holds it
 *   under one of the ids this process writes it with: stored by such a write, it is in the running
 *   counts although accepted later (a claim waiting for its person's lock is overtaken by later
 *   claims of other persons). A stay's ids, one for each screening it may take, are drawn when it is
 *   accepted, so every later stay's write is known whenever it commits; a replay's stored id is the
 *   first write's, never one of these.
 *
 * A stay accepted after this one may still commit before this one's statement takes its snapshot
 * if it was accepted after the statement was built (the statement queued for a busy connection
 * while the later stay was read and written on another): so a stay's write waits until every stay
 * of its institution accepted before it has read its census (`earlierRead`), and no earlier stay's
 * snapshot can hold a later stay. The reads do not wait for the writes, so the wait ends.
 *
 * A stay leaves the book when it finishes: at once when no write of it was sent (refused before
 * storing, failed before the write), so no later stay counts it; otherwise (stored, or a write whose
 * outcome this process may not know: a deadline, an error after sending) once no stay accepted
 * before it is still being screened, since until then those must take it off their count if it was
 * stored. At most `max` stays an institution are kept, the oldest dropped first. Only this process's
 * stays: another node's stays are counted once stored.
 */
export interface StayTicket {
  /** the id of the claim's `attempt`-th screening's write (1-based), drawn when the stay was accepted */
  idFor(attempt: number): string;
  /** a write of the claim with `id` is about to be sent */
  writing(id: string): void;
  /** its census has been read (its history statement answered) */
  read(): void;
  /**
   * Resolves once every stay of its institution accepted before it has read its census (or
   * finished): its write waits for that, so that no earlier stay's snapshot holds it.
   */
  earlierRead(): Promise<void>;
  /** the screening is over, stored or not */
  end(): void;
}

/** What the census read adds and takes off for one stay (src/screening/history.repository.ts). */
export interface CensusInFlight {
  /** claim numbers of stays accepted before it, not finished, there at its midnight */
  pend: string[];
  /** claim numbers and write ids of stays accepted after it, there at its midnight (each id of each stay) */
  laterNo: string[];
  laterId: string[];
}

interface Entry {
  seq: number;
  claimNo: string;
  /** CST day numbers of admission and discharge */
  first: number;
  last: number;
  /** the ids its writes use or may use */
  ids: string[];
  /** a write of it was sent */
  sent: boolean;
  done: boolean;
  /** resolved when its census was read or it finished */
  wasRead: Promise<void>;
  markRead: () => void;
}

/** the longest stay a census counts, in nights after the admission day (as institution_nights keeps) */
const NIGHTS_MAX = 366;

/** `newId`: how a write's id is drawn (the claims' ids). */
export function createStaysInFlight({ max = 1000, newId = () => uuid7() }: { max?: number; newId?: () => string } = {}) {
  const byInstitution = new Map<string, Entry[]>();
  let seq = 0;

  const prune = (institutionId: string, list: Entry[]) => {
    let head = 0;
    while (head < list.length && (list[head] as Entry).done) head++;
    if (head > 0) list.splice(0, head);
    if (list.length === 0) byInstitution.delete(institutionId);
  };

  return {
    /**
     * Called as a claim is accepted, before anything of it waits: a stay enters the book in that
     * order, with the ids of the `attempts` screenings it may take.
     */
    accept(claim: Claim, attempts = 1): (StayTicket & { readonly seq: number }) | undefined {
      if (claim.visitType !== 'inpatient') return undefined;
      let list = byInstitution.get(claim.institutionId);
      if (!list) byInstitution.set(claim.institutionId, (list = []));
      if (list.length >= max) list.splice(0, list.length - max + 1);
      const ids: string[] = [];
      for (let i = 0; i < attempts; i++) ids.push(newId());
      let markRead = () => {};
      const wasRead = new Promise<void>((resolve) => (markRead = resolve));
      const entry: Entry = { seq: ++seq, claimNo: claim.claimNo, first: dayOf(claim.startedAt), last: dayOf(claim.endedAt), ids, sent: false, done: false, wasRead, markRead };
      list.push(entry);
      return {
        seq: entry.seq,
        idFor(attempt) {
          while (ids.length < attempt) ids.push(newId());
          return ids[attempt - 1] as string;
        },
        writing(id) {
          if (!ids.includes(id)) ids.push(id);
          entry.sent = true;
        },
        read() {
          entry.markRead();
        },
        earlierRead() {
          const current = byInstitution.get(claim.institutionId) ?? [];
          const waits: Promise<void>[] = [];
          for (const e of current) if (e.seq < entry.seq && !e.done) waits.push(e.wasRead);
          return waits.length === 0 ? Promise.resolve() : Promise.all(waits).then(() => {});
        },
        end() {
          if (entry.done) return;
          entry.done = true;
          entry.markRead();
          const current = byInstitution.get(claim.institutionId);
          if (!current) return;
          if (!entry.sent) {
            const i = current.indexOf(entry);
            if (i >= 0) current.splice(i, 1);
          }
          prune(claim.institutionId, current);
        },
      };
    },

    /**
     * The stays of the book that bear on a stay's census (its institution, there at midnight after
     * its admission day), as of now; undefined when there are none. `seq` is the stay's own place
     * (its ticket's); without one (a claim assessed but not accepted for storing) every stay in the
     * book is before it.
     */
    around(claim: Claim, seq: number | undefined): CensusInFlight | undefined {
      const list = byInstitution.get(claim.institutionId);
      if (!list) return undefined;
      const night = dayOf(claim.startedAt) + 1;
      const mine = seq ?? Infinity;
      let out: CensusInFlight | undefined;
      let pending: Set<string> | undefined;
      for (const e of list) {
        if (e.seq === mine || e.claimNo === claim.claimNo || e.first >= night || e.last < night || night - e.first > NIGHTS_MAX) continue;
        if (e.seq < mine) {
          if (e.done) continue;
          out ??= { pend: [], laterNo: [], laterId: [] };
          pending ??= new Set();
          if (!pending.has(e.claimNo)) out.pend.push(e.claimNo);
          pending.add(e.claimNo);
        } else {
          out ??= { pend: [], laterNo: [], laterId: [] };
          for (const id of e.ids) (out.laterNo.push(e.claimNo), out.laterId.push(id));
        }
      }
      return out;
    },

    /** stays in the book (tests) */
    size: () => [...byInstitution.values()].reduce((s, l) => s + l.length, 0),
  };
}

export type StaysInFlight = ReturnType<typeof createStaysInFlight>;
