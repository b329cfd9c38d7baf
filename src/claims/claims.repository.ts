import type { Claim } from '../../rules/claim.js';
import { AppError } from '../errors.js';
import { DB_BATCH_DEFAULTS } from '../config.js';
import type { Database } from '../db/client.js';
import { formatFen, formatTenThousandths } from '../lib/money.js';
import { isoInstant } from '../lib/time.js';
import { referenceMessage, type RetrospectiveFinding, type RetrospectiveReference, type StoredFinding, type StoredReference } from '../screening/findings.js';
import { createBatcher } from '../lib/batcher.js';
import { windowLines } from '../screening/history.repository.js';
import type { ClaimAnswer } from './answer.js';
import { claimQuality } from './quality.js';

export interface ScreenedClaim {
  id: string;
  claim: Claim;
  contentHash: string;
  clientId: string | null;
  body: unknown;
  /** `body` as JSON text, when the caller has it (else it is serialised here) */
  bodyJson?: string;
  answer: ClaimAnswer;
  /** `answer` as JSON text, when the caller has it: the same text is the HTTP answer */
  answerJson?: string;
  findings: StoredFinding[];
  retrospective: RetrospectiveFinding[];
  /** references on this claim to findings filed retrospectively on earlier claims */
  references?: StoredReference[];
  /** references on earlier claims to findings of this claim (or filed by its screening) */
  retroReferences?: RetrospectiveReference[];
  /**
   * The person's version when the claim's history was read (src/screening/history.repository.ts).
   * The claim is written only if the version is still this, and moves it on; omitted, no check
   * (a caller that read no history).
   */
  personVersion?: number;
}

export type InsertOutcome =
  | { inserted: true }
  | { inserted: false; existing: { id: string; contentHash: string; answer: ClaimAnswer } }
  /** not written: a claim of the same person was stored since its history was read; screen it again */
  | { inserted: false; stale: true };

// The claims ready together (group commit: every claim ready within one turn of the event loop,
// or while earlier batches were still committing; one claim alone is a batch of one) go in as one
// statement: each claim with its lines in its body (no row a line: migration 0037), its answer and
// its findings (and retrospective findings on the earlier claims they name), one round trip, one
// implicit transaction, one WAL flush, so a 2xx always means all of it is committed. The
// idempotency key goes in first (claim_keys: a unique index on claims cannot hold it once claims
// are partitioned by month and distributed by person, docs/scaling.md §5); ON CONFLICT there makes
// concurrent identical submissions store one claim:
// the losers (replays, or two different claims under one id in the same batch) are absent from `k`
// and `ins`, write nothing else, and the caller reads the winner's row. Retrospective findings find
// the earlier claim's whole key (id, person, month) by its idempotency key in claim_keys; they name
// earlier claims, committed before this claim is written: the same person's by the person lock,
// another person's still being screened in this process (a card burst's first swipes) by the
// screening waiting for them to be written (beginScreening), so they are never in the same batch.
// A finding whose claim is not stored after all (its screening failed) is not written, nor any
// reference to it. Every other claim a finding names gets a
// reference (finding_references), found the same way; the claim carrying the finding is found by
// its key too, or is this claim (`self`).
// Before all of it, each person's version moves on from the value the claim's history read
// (person_versions; `seen`): if another node stored a claim of the same person since, the version
// has moved, nothing of that claim is written, and it comes back stale, to be screened again with
// that claim in its history. The versions are kept without WAL (migration 0045): a crash empties
// them and starts a new epoch, and a version read in an earlier epoch is stale too. ON CONFLICT DO
// UPDATE waits for a concurrent writer of the row and judges its committed version, which the
// statement's own snapshot would not show. Plain INSERTs, so row triggers on these tables fire as
// for one claim. Keys are looked up in claim_keys one at a time by its primary key (lateral
// subqueries with a limit, which PostgreSQL cannot make into joins): as joins, a plan made while
// the table was small read all of claim_keys to hash it.
// The answer is stored without the fields the claim's columns hold (migration 0043) and with its
// findings as their ids, the findings' rows holding the rest (migration 0047); claim_answer(c)
// gives it whole. The content hash is stored in claim_keys alone, where the replay reads it (0047).
// `deltas` is the parameter of the claims' item deltas (itemDeltasParameter), set for the running
// totals' trigger before any claim is inserted (its subquery is evaluated once, as c is scanned).
const insertHead = (deltas: string) => `
with c as (
  select x.* from (select set_config('claimscreen.item_deltas', ${deltas}::text, true)) g, jsonb_to_recordset($1::jsonb) as x(id uuid, inst text, cno text, person text, visit text,
    started timestamptz, ended timestamptz, month text, diag text, total numeric, payable numeric, decision text,
    hash text, client uuid, body jsonb, answer jsonb, nl int, nname int, nspec int, settled timestamptz, seen bigint, wl jsonb)
  where g.set_config is not null
), v as (
  -- in the order of persons, so two batches lock the same persons' versions in the same order; a
  -- version read in an earlier epoch (the table emptied by a crash since, migration 0045) is stale,
  -- and a row left from an earlier epoch (its sentinel alone removed) is the history read's past
  insert into person_versions (person_hash, version)
  select person, seen + 1 from c
  where seen is not null and seen >> 32 = (select version from person_versions where person_hash = '')
  order by person
  on conflict (person_hash) do update set version = excluded.version
    where person_versions.version = excluded.version - 1 or person_versions.version >> 32 <> excluded.version >> 32
  returning person_hash
), fresh as (
  select c.* from c where c.seen is null or c.person in (select person_hash from v)
), k as (
  insert into claim_keys (institution_id, claim_no, claim_id, person_hash, service_month, content_hash)
  select inst, cno, id, person, month, hash from fresh
  on conflict do nothing
  returning claim_id
), ins as (
  insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at,
    service_month, main_diagnosis, total_amount, payable_amount, decision, client_id,
    body, answer, line_count, lines_missing_name, lines_missing_spec, settled_at, window_lines)
  select id, inst, cno, person, visit, started, ended, month, diag, total, payable, decision, client, body,
    case when a -> 'findings' = '[]' then a else jsonb_set(a, '{findings}', jsonb_path_query_array(a, '$.findings[*].id')) end,
    nl, nname, nspec, settled, wl
  from fresh c join k on k.claim_id = c.id,
    lateral (select c.answer - '{id,institutionId,claimId,decision,totalAmount,payableAmount,serviceMonth}'::text[] as a) s
  returning id, person_hash, service_month
`;
// The findings' and references' parts: their records are parameters $2 to $5.
const INSERT_FINDINGS = `), own as (
  insert into findings (id, claim_id, source_claim_id, retrospective, rule_id, rule_version, family,
    severity, status, message, violating_lines, involved_lines, other_claims, amount, service_month, person_hash)
  select f.id, ins.id, ins.id, false, f.rule, f.ver, f.fam, f.sev, f.st, f.msg, f.vl, f.il, f.oc, f.amt, ins.service_month, ins.person_hash
  from jsonb_to_recordset($2::jsonb) as f(cid uuid, id uuid, rule text, ver int, fam text, sev text, st text,
    msg jsonb, vl jsonb, il jsonb, oc jsonb, amt numeric)
  join ins on ins.id = f.cid
), retro as (
  insert into findings (id, claim_id, source_claim_id, retrospective, rule_id, rule_version, family,
    severity, status, message, violating_lines, involved_lines, other_claims, amount, service_month, person_hash)
  select f.id, e.claim_id, ins.id, true, f.rule, f.ver, f.fam, f.sev, f.st, f.msg, f.vl, f.il, f.oc, f.amt,
    e.service_month, e.person_hash
  from jsonb_to_recordset($3::jsonb) as f(cid uuid, id uuid, inst text, cno text, rule text, ver int, fam text,
    sev text, st text, msg jsonb, vl jsonb, il jsonb, oc jsonb, amt numeric)
  join ins on ins.id = f.cid
  cross join lateral (select e.claim_id, e.service_month, e.person_hash from claim_keys e
    where e.institution_id = f.inst and e.claim_no = f.cno limit 1) e
), refs as (
  insert into finding_references (id, claim_id, person_hash, service_month, finding_id, finding_claim_id,
    source_claim_id, relation, rule_id, rule_version, family, severity, lines)
  select r.id, ins.id, ins.person_hash, ins.service_month, r.fid, case when r.self then ins.id else fk.claim_id end,
    ins.id, r.rel, r.rule, r.ver, r.fam, r.sev, r.lines
  from jsonb_to_recordset($4::jsonb) as r(cid uuid, id uuid, fid uuid, finst text, fcno text, self boolean, rel text,
    rule text, ver int, fam text, sev text, lines jsonb)
  join ins on ins.id = r.cid
  left join lateral (select fk.claim_id from claim_keys fk where fk.institution_id = r.finst and fk.claim_no = r.fcno limit 1) fk on true
  -- a finding filed on a claim that is not stored (its screening failed) was not written: no reference to it
  where r.self or fk.claim_id is not null
), retro_refs as (
  insert into finding_references (id, claim_id, person_hash, service_month, finding_id, finding_claim_id,
    source_claim_id, relation, rule_id, rule_version, family, severity, lines)
  select r.id, e.claim_id, e.person_hash, e.service_month, r.fid, case when r.self then ins.id else fk.claim_id end,
    ins.id, r.rel, r.rule, r.ver, r.fam, r.sev, r.lines
  from jsonb_to_recordset($5::jsonb) as r(cid uuid, id uuid, inst text, cno text, fid uuid, finst text, fcno text,
    self boolean, rel text, rule text, ver int, fam text, sev text, lines jsonb)
  join ins on ins.id = r.cid
  cross join lateral (select e.claim_id, e.service_month, e.person_hash from claim_keys e
    where e.institution_id = r.inst and e.claim_no = r.cno limit 1) e
  left join lateral (select fk.claim_id from claim_keys fk where fk.institution_id = r.finst and fk.claim_no = r.fcno limit 1) fk on true
  where r.self or fk.claim_id is not null
`;
const INSERT_TAIL = `)
select id, false as stale from ins
union all
select id, true from c where not exists (select from fresh where fresh.id = c.id)`;
// The statement with the findings' and references' parts, and without them for a batch that has
// none: PostgreSQL starts every part of a statement and fires the statement triggers of every table
// it inserts into, rows or none, at each execution (most batches of a paced intake are a claim or two
// without findings). Each text is run by the tests on both engines.
const INSERT_WITH_FINDINGS = insertHead('$6') + INSERT_FINDINGS + INSERT_TAIL;
const INSERT_WITHOUT_FINDINGS = insertHead('$2') + INSERT_TAIL;

/** A reference as the insert reads it: the claim carrying the finding by its key, or `self`. */
const referenceRecord = (r: StoredReference & { inst?: string; cno?: string }, c: Claim) => ({
  id: r.id,
  inst: r.inst,
  cno: r.cno,
  fid: r.fid,
  finst: r.on.institutionId,
  fcno: r.on.claimId,
  self: r.on.institutionId === c.institutionId && r.on.claimId === c.claimNo,
  rel: r.rel,
  rule: r.rule,
  ver: r.ver,
  fam: r.fam,
  sev: r.sev,
  lines: r.lines,
});

/** The settlement system's settledAt, as sent (null when it was not). */
const settledAt = (c: Claim) => (c.settledAt === undefined ? null : isoInstant(c.settledAt));

// Each record is written as JSON text directly: the body and the answer arrive serialised (the
// answer's text is also the HTTP answer), so nothing of a claim is stringified twice. Its pieces
// go into `parts`, joined once for the whole statement (claimsParameter).
/** A claim's record without its body and answer, as JSON text. */
export const claimRecordHead = (s: ScreenedClaim): string => {
  const c = s.claim;
  const q = claimQuality(c);
  return JSON.stringify({
    id: s.id,
    inst: c.institutionId,
    cno: c.claimNo,
    person: c.personHash,
    visit: c.visitType,
    started: isoInstant(c.startedAt),
    ended: isoInstant(c.endedAt),
    month: s.answer.serviceMonth,
    diag: c.mainDiagnosis ?? null,
    total: formatFen(c.totalFen),
    payable: s.answer.payableAmount,
    decision: s.answer.decision,
    hash: s.contentHash,
    client: s.clientId,
    nl: q.lineCount,
    nname: q.linesMissingName,
    nspec: q.linesMissingSpec,
    settled: settledAt(c),
    seen: s.personVersion ?? null,
    wl: windowLines(c),
  });
};
const claimRecord = (s: ScreenedClaim, parts: string[]): void => {
  const head = claimRecordHead(s);
  parts.push(head.slice(0, -1), ',"body":', s.bodyJson ?? JSON.stringify(s.body), ',"answer":', s.answerJson ?? JSON.stringify(s.answer), '}');
};

// The claims of a statement as one JSON array, built by a single join: a flat string. The driver
// measures and then encodes the parameter (Buffer.byteLength, then write); given a concatenation
// of strings instead (`[${records.join(',')}]`), V8 walks or flattens it first, which cost ~3×
// the encoding itself for the ~7 K characters a claim (two-byte: the bodies carry Chinese text).
export const claimsParameter = (list: readonly ScreenedClaim[]): string => {
  const parts: string[] = ['['];
  for (let i = 0; i < list.length; i++) {
    if (i > 0) parts.push(',');
    claimRecord(list[i] as ScreenedClaim, parts);
  }
  parts.push(']');
  return parts.join('');
};

// What each claim adds to the running item totals (institution_item_months, migration 0040), by
// claim id: a row a line (item, month of service, quantity at 4 decimals, amount at 2, one line),
// from the lines as the intake parsed them (src/claims/normalize.ts), so the trigger does not parse
// every line of every body again; the trigger sums them by institution, item and month.
export const itemDeltasParameter = (list: readonly ScreenedClaim[]): string => {
  const parts: string[] = ['{'];
  for (let i = 0; i < list.length; i++) {
    const s = list[i] as ScreenedClaim;
    const rows: unknown[] = [];
    for (const l of s.claim.lines) rows.push([l.itemCode, l.serviceDate.slice(0, 7), formatTenThousandths(l.quantity), formatFen(l.amountFen), 1]);
    if (i > 0) parts.push(',');
    parts.push(JSON.stringify(s.id), ':', JSON.stringify(rows));
  }
  parts.push('}');
  return parts.join('');
};

// By the idempotency key: claim_keys names the claim's whole key, so the claim is read by its
// primary key (under distribution by person, on the one shard that holds it). The answer is
// stored without the fields the claim's columns hold (migration 0043) and with its findings' ids
// only (migration 0047): claim_answer gives it whole.
const SELECT_BY_KEY = `
select c.id, k.content_hash, claim_answer(c) as answer, c.body
from claim_keys k join claims c on c.id = k.claim_id and c.person_hash = k.person_hash and c.service_month = k.service_month
where k.institution_id = $1 and k.claim_no = $2`;

export interface ClaimsRepositoryOptions {
  database: Database;
  /** claims written by one statement at most (the service passes DB_BATCH_MAX, whose default this is) */
  maxBatch?: number;
  /** batches being written at once at most; more claims wait for the next batch */
  maxBatchesInFlight?: number;
  /** told when a statement for several claims failed and they are written one by one */
  onBatchError?: (err: unknown, claims: number) => void;
}

export function createClaimsRepository({ database, maxBatch = DB_BATCH_DEFAULTS.maxBatch, maxBatchesInFlight = DB_BATCH_DEFAULTS.maxBatchesInFlight, onBatchError }: ClaimsRepositoryOptions) {
  /** The stored claim under the same key, for a claim that lost ON CONFLICT. */
  const existingFor = async (c: Claim): Promise<InsertOutcome> => {
    const existing = await repository.findByKey(c.institutionId, c.claimNo);
    // its key is in claim_keys but the claim is not in the live tables: its month was detached
    // (docs/operations.md "Monthly partitions and retention")
    if (!existing)
      throw new AppError('conflict', 'claim_archived', `Claim ${c.claimNo} of institution ${c.institutionId} was received before and its service month is archived; it is not screened again`);
    return { inserted: false, existing };
  };

  /** Claims in one statement; the outcomes in the order of `list`. */
  const insert = async (list: ScreenedClaim[]): Promise<InsertOutcome[]> => {
    const own = [];
    const retro = [];
    const refs = [];
    const retroRefs = [];
    for (const s of list) {
      const c = s.claim;
      for (const f of s.findings) own.push({ ...f, cid: s.id });
      for (const f of s.retrospective) retro.push({ ...f, cid: s.id });
      for (const r of s.references ?? []) refs.push({ ...referenceRecord(r, c), cid: s.id });
      for (const r of s.retroReferences ?? []) retroRefs.push({ ...referenceRecord(r, c), cid: s.id });
    }
    const rows =
      own.length + retro.length + refs.length + retroRefs.length === 0
        ? await database.query<{ id: string; stale: boolean }>(INSERT_WITHOUT_FINDINGS, [claimsParameter(list), itemDeltasParameter(list)])
        : await database.query<{ id: string; stale: boolean }>(INSERT_WITH_FINDINGS, [
            claimsParameter(list),
            JSON.stringify(own),
            JSON.stringify(retro),
            JSON.stringify(refs),
            JSON.stringify(retroRefs),
            itemDeltasParameter(list),
          ]);
    const outcome = new Map(rows.map((r) => [String(r.id), r.stale]));
    return Promise.all(
      list.map((s): InsertOutcome | Promise<InsertOutcome> => {
        const stale = outcome.get(s.id);
        if (stale === false) return { inserted: true };
        if (stale === true) return { inserted: false, stale: true };
        return existingFor(s.claim);
      }),
    );
  };

  // A batch that fails as a whole (one claim the database refuses, a deadlock with a trigger's
  // writes, a connection lost) rolled back entirely: each of its claims is then written on its own,
  // so each gets its own outcome and one bad claim does not fail its neighbours. Retrying is safe
  // even if the batch did commit before its answer was lost: the claims are then stored with this
  // very content and come back as replays of themselves.
  const writeBatch = async (list: ScreenedClaim[]): Promise<(InsertOutcome | Error)[]> => {
    if (list.length > 1) {
      try {
        return await insert(list);
      } catch (err) {
        onBatchError?.(err, list.length);
      }
    }
    return Promise.all(
      list.map((s) =>
        insert([s])
          .then(([o]) => o as InsertOutcome)
          .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
      ),
    );
  };

  const write = createBatcher<ScreenedClaim, InsertOutcome>({ run: writeBatch, maxBatch, maxInFlight: maxBatchesInFlight });

  // Claims being screened in this process, by key, in the order they began: a claim whose screening
  // files a finding retrospectively on one of them (a card burst completed by a claim screened beside
  // its first swipes) waits for it to be written first, so the finding joins it in claim_keys. Only
  // claims that began earlier are waited for, so two screenings never wait for each other.
  const screening = new Map<string, { seq: number; done: Promise<void> }>();
  let seq = 0;
  const keyOf = (institutionId: string, claimNo: string) => `${institutionId}\u0000${claimNo}`;

  const repository = {
    /**
     * Stores one screened claim, committed (with other claims ready at the same time) before this
     * resolves; a claim already stored under its key comes back as `existing`.
     */
    insertScreened(s: ScreenedClaim): Promise<InsertOutcome> {
      return write(s);
    },

    /** batches being written and claims waiting for one */
    writeStats: () => write.stats(),

    /**
     * Marks a claim as being screened until `end` is called (after its write, whatever the outcome);
     * `after` waits for those of the given claims that began being screened before this one.
     */
    beginScreening(institutionId: string, claimNo: string) {
      const key = keyOf(institutionId, claimNo);
      const mine = ++seq;
      let end!: () => void;
      const done = new Promise<void>((resolve) => (end = resolve));
      const previous = screening.get(key);
      screening.set(key, { seq: mine, done: previous ? Promise.all([previous.done, done]).then(() => {}) : done });
      return {
        end() {
          end();
          if (screening.get(key)?.seq === mine) screening.delete(key);
        },
        /** resolves when the earlier-begun claims among `claims` are written (or failed), or after `timeoutMs` */
        async after(claims: readonly { institutionId: string; claimId: string }[], timeoutMs: number) {
          const waits: Promise<void>[] = [];
          for (const c of claims) {
            const e = screening.get(keyOf(c.institutionId, c.claimId));
            if (e && e.seq < mine) waits.push(e.done);
          }
          if (waits.length === 0) return 0;
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([Promise.all(waits), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
          clearTimeout(timer);
          return waits.length;
        },
      };
    },

    /** Findings filed on a stored claim after it was answered (GET /v1/claims/{institutionId}/{claimId}). */
    laterFindings: (claimId: string) => laterFindings(database, claimId),

    /** Findings on other claims that name a stored claim. */
    references: (claimId: string) => claimReferences(database, claimId),

    async findByKey(institutionId: string, claimNo: string) {
      const rows = await database.query<{ id: string; content_hash: string; answer: unknown; body: unknown }>(SELECT_BY_KEY, [institutionId, claimNo]);
      const row = rows[0];
      if (!row) return undefined;
      return {
        id: row.id,
        contentHash: row.content_hash,
        answer: parseJson(row.answer) as ClaimAnswer,
        body: parseJson(row.body),
      };
    },
  };
  return repository;
}

const LATER_FINDINGS = `
select f.id, f.rule_id, f.rule_version, f.family, f.severity, f.status, f.message, f.violating_lines,
       f.involved_lines, f.other_claims, f.amount::text, f.created_at::text, s.institution_id as src_inst, s.claim_no as src_claim
from findings f join claims s on s.id = f.source_claim_id
where f.claim_id = $1 and f.retrospective order by f.created_at, f.id`;

/** Findings filed on a claim after it was answered, because a later claim revealed a conflict. */
async function laterFindings(database: Database, claimId: string) {
  const rows = await database.query<Record<string, unknown>>(LATER_FINDINGS, [claimId]);
  return rows.map((r) => ({
    id: String(r.id),
    ruleId: String(r.rule_id),
    ruleVersion: Number(r.rule_version),
    family: String(r.family),
    severity: r.severity as 'violation' | 'high' | 'medium' | 'low',
    status: r.status as 'active' | 'trial',
    message: parseJson(r.message) as { zh: string; en: string },
    violatingLines: parseJson(r.violating_lines) as string[],
    involvedLines: parseJson(r.involved_lines) as string[],
    otherClaims: parseJson(r.other_claims) as { institutionId: string; claimId: string; lines?: string[] }[],
    amount: String(r.amount),
    foundAt: String(r.created_at),
    foundBy: { institutionId: String(r.src_inst), claimId: String(r.src_claim) },
  }));
}

const REFERENCES = `
select r.id, r.finding_id, r.relation, r.rule_id, r.rule_version, r.family, r.severity, r.lines, r.message,
       r.created_at::text, fc.institution_id as f_inst, fc.claim_no as f_claim, s.institution_id as src_inst, s.claim_no as src_claim
from finding_references r
join claims fc on fc.id = r.finding_claim_id
join claims s on s.id = r.source_claim_id
where r.claim_id = $1 order by r.created_at, r.id`;

export interface ClaimReference {
  id: string;
  findingId: string;
  /** when the claim carrying the finding was received, against this one */
  relation: 'later' | 'earlier' | 'found-later';
  ruleId: string;
  ruleVersion: number;
  family: string;
  severity: string;
  /** the claim carrying the finding and its amount */
  findingClaim: { institutionId: string; claimId: string };
  /** the claim whose screening found it */
  foundBy: { institutionId: string; claimId: string };
  /** this claim's lines the finding names */
  lines: string[];
  message: { zh: string; en: string };
  referredAt: string;
}

/** Findings on other claims that name this claim: no case, no amount here. */
export async function claimReferences(database: Database, claimId: string): Promise<ClaimReference[]> {
  const rows = await database.query<Record<string, unknown>>(REFERENCES, [claimId]);
  return rows.map((r) => {
    const ref = {
      rule: String(r.rule_id),
      on: { institutionId: String(r.f_inst), claimId: String(r.f_claim) },
      by: { institutionId: String(r.src_inst), claimId: String(r.src_claim) },
      rel: r.relation as ClaimReference['relation'],
      lines: parseJson(r.lines) as string[],
    };
    return {
      id: String(r.id),
      findingId: String(r.finding_id),
      relation: ref.rel,
      ruleId: ref.rule,
      ruleVersion: Number(r.rule_version),
      family: String(r.family),
      severity: String(r.severity),
      findingClaim: ref.on,
      foundBy: ref.by,
      lines: ref.lines,
      // made from the reference's columns (migration 0046), as it was made to be stored before
      message: r.message === null || r.message === undefined ? referenceMessage(ref) : (parseJson(r.message) as { zh: string; en: string }),
      referredAt: String(r.created_at),
    };
  });
}

export type ClaimsRepository = ReturnType<typeof createClaimsRepository>;

// postgres.js returns jsonb parsed; PGlite too, but a driver may hand back text.
const parseJson = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
