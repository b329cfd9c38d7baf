import type { Claim } from '../../rules/claim.js';

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
 * counts the stays committed when the history statement takes its snapshot. Stays screened side by
 * side (a stream, a batch: the history and write batchers run several statements at once) do not
 * see each other there, so two stays at the limit each missed the other and the one past it passed.
 * The read now corrects the count in the same statement, so in the same snapshot, by claim identity:
 *
 * - each stay accepted before this one and not finished (`pend`) counts when its key is not in
 *   claim_keys yet (stored by then, it is in the running counts already; a replay or a conflicting
 *   copy of a stored claim finds the stored one, counted there once);
 * - each stay accepted after this one whose write has been sent (`laterNo`/`laterId`) is taken off
 *   when claim_keys holds it under the id this process wrote it with: stored by that write, it is in
 *   the running counts although accepted later (a claim waiting for its person's lock is overtaken
 *   by later claims of other persons); a replay's stored id is the first write's, so it is not. The
 *   book is read as the statement is built, just before it is sent: a later stay's write not sent
 *   by then is sent after it (the pool serves queries in order) and, a whole write later, commits
 *   after this statement's snapshot.
 *
 * A stay leaves the book when it finishes: at once when nothing of it was stored (refused, failed, a
 * replay, a conflict), so no later stay counts it; when stored, once no stay accepted before it is
 * still being screened (until then the earlier ones must take it off their count). At most `max`
 * stays an institution are kept, the oldest dropped first. Only this process's stays: another
 * node's stays are counted once stored.
 */
export interface StayTicket {
  /** the id this screening writes the claim with (each attempt its own), set before the write is sent */
  writing(id: string): void;
  /** the screening is over: `stored` when this screening's write stored the claim */
  end(stored: boolean): void;
}

/** What the census read adds and takes off for one stay (src/screening/history.repository.ts). */
export interface CensusInFlight {
  /** claim numbers of stays accepted before it, not finished, there at its midnight */
  pend: string[];
  /** claim numbers and write ids of stays accepted after it, there at its midnight, whose write was sent */
  laterNo: string[];
  laterId: string[];
}

interface Entry {
  seq: number;
  claimNo: string;
  /** CST day numbers of admission and discharge */
  first: number;
  last: number;
  id: string | undefined;
  done: boolean;
}

/** the longest stay a census counts, in nights after the admission day (as institution_nights keeps) */
const NIGHTS_MAX = 366;

export function createStaysInFlight({ max = 1000 }: { max?: number } = {}) {
  const byInstitution = new Map<string, Entry[]>();
  let seq = 0;

  const prune = (institutionId: string, list: Entry[]) => {
    let head = 0;
    while (head < list.length && (list[head] as Entry).done) head++;
    if (head > 0) list.splice(0, head);
    if (list.length === 0) byInstitution.delete(institutionId);
  };

  return {
    /** Called as a claim is accepted, before anything of it waits: a stay enters the book in that order. */
    accept(claim: Claim): (StayTicket & { readonly seq: number }) | undefined {
      if (claim.visitType !== 'inpatient') return undefined;
      let list = byInstitution.get(claim.institutionId);
      if (!list) byInstitution.set(claim.institutionId, (list = []));
      if (list.length >= max) list.splice(0, list.length - max + 1);
      const entry: Entry = { seq: ++seq, claimNo: claim.claimNo, first: dayOf(claim.startedAt), last: dayOf(claim.endedAt), id: undefined, done: false };
      list.push(entry);
      return {
        seq: entry.seq,
        writing(id) {
          entry.id = id;
        },
        end(stored) {
          if (entry.done) return;
          entry.done = true;
          const current = byInstitution.get(claim.institutionId);
          if (!current) return;
          if (!stored) {
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
        } else if (e.id !== undefined) {
          out ??= { pend: [], laterNo: [], laterId: [] };
          out.laterNo.push(e.claimNo);
          out.laterId.push(e.id);
        }
      }
      return out;
    },

    /** stays in the book (tests) */
    size: () => [...byInstitution.values()].reduce((s, l) => s + l.length, 0),
  };
}

export type StaysInFlight = ReturnType<typeof createStaysInFlight>;
