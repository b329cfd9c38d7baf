import { randomInt } from 'node:crypto';
import { claimReferences } from '../claims/claims.repository.js';
import type { Database, Query } from '../db/client.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { formatFen } from '../lib/money.js';
import { canonicalJson } from '../lib/hash.js';
import { assertMayConclude, assertNoConflict, CONCLUDE_BAR_SQL, type Person } from './identity.js';
import { appendTrail, readTrail } from './trail.js';
import { maskPersonalData } from '../lib/personal-data.js';
import { computeRefusals, intakeMoney, intakeMoneyJson, refusalCeiling, type RefusalInput, type RefusalLine } from './refusals.js';

export const CASE_STATUSES = ['open', 'assigned', 'concluded', 'returned', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const REASON_KINDS = ['finding', 'retrospective', 'provider_model', 'appeal', 'sample'] as const;
const SEVERITY = ['none', 'low', 'medium', 'high', 'violation'] as const;

const CASE_COLUMNS = `c.id, c.claim_id, c.institution_id, cl.claim_no, c.service_month, c.visit_type, c.status,
  c.reason_kinds, c.families, c.severity_rank, c.amount_at_issue::text as amount_at_issue, c.claim_total::text as claim_total,
  c.provider_risk::text as provider_risk, c.priority::text as priority, c.assignee, c.final_outcome,
  (extract(epoch from c.assigned_at) * 1000)::float8 as assigned_ms, (extract(epoch from c.opened_at) * 1000)::float8 as opened_ms,
  (extract(epoch from c.updated_at) * 1000)::float8 as updated_ms, (extract(epoch from c.sample_due_at) * 1000)::float8 as sample_due_ms`;

type CaseRow = {
  id: string;
  claim_id: string;
  institution_id: string;
  claim_no: string;
  service_month: string;
  visit_type: string;
  status: CaseStatus;
  reason_kinds: string[] | string;
  families: string[] | string;
  severity_rank: number;
  amount_at_issue: string;
  claim_total: string;
  provider_risk: string;
  priority: string;
  assignee: string | null;
  final_outcome: 'confirmed' | 'dismissed' | null;
  assigned_ms: number | null;
  opened_ms: number;
  updated_ms: number;
  sample_due_ms: number | null;
};

// A driver may hand a text[] back as its literal '{a,b}'.
const pgArray = (v: string[] | string): string[] =>
  Array.isArray(v)
    ? v
    : v === '{}'
      ? []
      : v
          .slice(1, -1)
          .split(',')
          .map((s) => s.replace(/^"|"$/g, ''));
const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/**
 * The re-check is blind (docs/review-recheck.md): an auditor does not see why a case is in the
 * queue nor how urgent it is until it is concluded, so a case of the random sample looks like any
 * other. Supervisors and admins see everything; so does everyone once the case is concluded.
 */
export const BLIND_STATUSES: readonly CaseStatus[] = ['open', 'assigned', 'returned'];
export const isBlind = (viewer: Person | undefined, status: CaseStatus) => viewer?.role === 'auditor' && BLIND_STATUSES.includes(status);

/** A case is due REVIEW_CASE_DUE_DAYS after it was opened (the queue's due date and ageing, docs/review-pages.md). */
export const DEFAULT_CASE_DUE_DAYS = 30;

export function toCase(r: CaseRow, now = Date.now(), viewer?: Person, dueDays = DEFAULT_CASE_DUE_DAYS) {
  const blind = isBlind(viewer, r.status);
  return {
    id: Number(r.id),
    claim: { id: r.claim_id, institutionId: r.institution_id, claimId: r.claim_no, serviceMonth: r.service_month, visitType: r.visit_type },
    institutionId: r.institution_id,
    status: r.status,
    blinded: blind,
    reasonKinds: blind ? null : pgArray(r.reason_kinds),
    families: pgArray(r.families),
    severity: blind ? null : (SEVERITY[Number(r.severity_rank)] ?? 'none'),
    amountAtIssue: blind ? null : r.amount_at_issue,
    claimTotal: r.claim_total,
    providerRisk: blind ? null : Number(r.provider_risk),
    priority: blind ? null : Number(r.priority),
    assignee: r.assignee,
    assignedAt: iso(r.assigned_ms),
    finalOutcome: r.final_outcome,
    openedAt: iso(r.opened_ms) as string,
    updatedAt: iso(r.updated_ms) as string,
    ageDays: Math.floor((now - Number(r.opened_ms)) / 86_400_000),
    /** opened + REVIEW_CASE_DUE_DAYS, the same for every case (so it tells a blind auditor nothing) */
    dueAt: iso(Number(r.opened_ms) + dueDays * 86_400_000) as string,
    /** a sample case of a closed month: the month's re-check due date; null when blinded or not a sample case */
    sampleDueAt: blind || r.sample_due_ms === null || r.sample_due_ms === undefined ? null : iso(r.sample_due_ms),
  };
}
export type Case = ReturnType<typeof toCase>;

export interface QueueFilter {
  status?: CaseStatus[];
  reason?: string;
  family?: string;
  institutionId?: string;
  assignee?: string;
  month?: string;
  minAgeDays?: number;
  maxAgeDays?: number;
  /** the claim's number, or its beginning */
  claimId?: string;
  /** an institution's code, or part of its name */
  institution?: string;
  /** priority (default), oldest, newest, due, total (the claim's), amount (at issue; not for auditors: they work blind) */
  sort?: QueueSort;
  limit: number;
  offset: number;
}

export const QUEUE_SORTS = ['priority', 'oldest', 'newest', 'due', 'total', 'amount'] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];
/** Whitelisted orders; `due` is the sample's due date first for those who may see it, then the case's own (opened + the same days for all). */
const ORDER_BY: Record<QueueSort, string> = {
  priority: 'c.priority desc nulls last, c.opened_at, c.id',
  oldest: 'c.opened_at, c.id',
  newest: 'c.opened_at desc, c.id desc',
  due: 'c.sample_due_at nulls last, c.opened_at, c.id',
  total: 'c.claim_total desc, c.opened_at, c.id',
  amount: 'c.amount_at_issue desc, c.opened_at, c.id',
};
/** A LIKE pattern matching `text` literally. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

const QUEUE_WHERE = `
  ($1::text is null or c.status = any(string_to_array($1, ',')))
  and ($2::text is null or $2 = any(c.reason_kinds))
  and ($3::text is null or $3 = any(c.families))
  and ($4::text is null or c.institution_id = $4)
  and ($5::text is null or c.assignee = $5)
  and ($6::text is null or c.service_month = $6)
  and ($7::int is null or c.opened_at <= now() - $7::int * interval '1 day')
  and ($8::int is null or c.opened_at > now() - ($8::int + 1) * interval '1 day')
  and ($9::text is null or exists (select 1 from claims x where x.id = c.claim_id and x.claim_no like $9 || '%'))
  and ($10::text is null or c.institution_id = $10 or c.institution_id in (select i.institution_id from institutions i where i.name ilike '%' || $11 || '%'))`;

const snapshot = (c: { status: string; assignee: string | null; final_outcome?: string | null }) => ({
  status: c.status,
  assignee: c.assignee,
  finalOutcome: c.final_outcome ?? null,
});

// Stand-ins for the numbers only the draw statement knows; canonicalJson writes numbers bare.
const CASE_ID_MARK = -1_000_000_001;
const DRAWN_FROM_MARK = -1_000_000_002;

/** The draw's trail body cut at its two numbers, in canonical (sorted-key) order: drawnFrom first, caseId last. */
function splitBody(body: string): [string, string, string] {
  const n = `"drawnFrom":${DRAWN_FROM_MARK}`;
  const c = `"caseId":${CASE_ID_MARK}`;
  const i = body.indexOf(n);
  const j = body.indexOf(c);
  if (i < 0 || j < i || body.indexOf(n, i + 1) >= 0 || body.indexOf(c, j + 1) >= 0) throw new Error('the draw trail body is not in the expected order');
  return [body.slice(0, i) + '"drawnFrom":', body.slice(i + n.length, j) + '"caseId":', body.slice(j + c.length)];
}

async function lockCase(q: Query, id: number) {
  const rows = await q<{ id: string; claim_id: string; institution_id: string; status: CaseStatus; assignee: string | null; final_outcome: string | null }>(
    'select id, claim_id, institution_id, status, assignee, final_outcome from review_cases where id = $1 for update',
    [id],
  );
  const row = rows[0];
  if (!row) throw new NotFoundError(`No review case ${id}`);
  return row;
}

function requireStatus(row: { id: string; status: CaseStatus }, allowed: CaseStatus[], doing: string) {
  if (!allowed.includes(row.status)) throw new ConflictError(`Case ${row.id} is ${row.status}: ${doing} needs it ${allowed.join(' or ')}`, { status: row.status });
}

export type ConclusionInput = ({ outcome: 'confirmed'; basis: string } & RefusalInput) | { outcome: 'dismissed'; reason: string };

/** An appeal as the institution and the settlement system read it (docs/review-money.md). */
type AppealRow = {
  id: string;
  case_id: string;
  institution_id: string;
  claim_no: string;
  amount: string;
  status: 'open' | 'decided';
  outcome: 'granted' | 'rejected' | null;
  conclusion_id: string | null;
  opened_by: string;
  opened_ms: number;
  decided_ms: number | null;
};
const APPEAL_COLUMNS = `a.id, a.case_id, a.institution_id, a.claim_no, a.amount::text as amount, a.status, a.outcome, a.conclusion_id, a.opened_by,
  (extract(epoch from a.opened_at) * 1000)::float8 as opened_ms, (extract(epoch from a.decided_at) * 1000)::float8 as decided_ms`;

export interface AppealFilter {
  institutionId?: string;
  claimId?: string;
  status?: 'open' | 'decided';
  limit: number;
  offset: number;
}

export type SecondReviewInput = { verdict: 'agree' } | { verdict: 'send_back'; reason: string };

/**
 * Appeals with their reasons (readable text, not the stored JSON) and, once decided, the agreed
 * conclusion that decided them: the outcome, the amount refused and its basis. Reviewers' names are
 * left out: the institution reads this.
 */
async function appealsOf(q: Query, where: string, params: unknown[]) {
  const rows = await q<AppealRow>(`select ${APPEAL_COLUMNS} from review_appeals a where ${where}`, params);
  if (rows.length === 0) return [];
  const [reasons, conclusions, firsts] = await Promise.all([
    q<{ appeal_id: string; reason: string; created_by: string; at_ms: number }>(
      `select (r.detail->>'appealId') as appeal_id, coalesce(r.detail->>'reason', '') as reason, r.created_by, (extract(epoch from r.created_at) * 1000)::float8 as at_ms
       from review_reasons r where r.kind = 'appeal' and r.case_id = any($1::bigint[]) order by r.id`,
      [[...new Set(rows.map((r) => Number(r.case_id)))]],
    ),
    q<{ id: string; outcome: string; amount_refused: string; basis: string; lines: unknown }>(
      'select id, outcome, amount_refused::text as amount_refused, basis, lines from review_conclusions where id = any($1::bigint[])',
      [rows.flatMap((r) => (r.conclusion_id ? [Number(r.conclusion_id)] : []))],
    ),
    q<{ case_id: string; id: string }>('select case_id, min(id) as id from review_appeals where case_id = any($1::bigint[]) group by case_id', [[...new Set(rows.map((r) => Number(r.case_id)))]]),
  ]);
  const firstOf = new Map(firsts.map((f) => [Number(f.case_id), Number(f.id)]));
  const conclusionById = new Map(conclusions.map((k) => [Number(k.id), k]));
  return rows.map((a) => {
    const k = a.conclusion_id ? conclusionById.get(Number(a.conclusion_id)) : undefined;
    return {
      id: Number(a.id),
      caseId: Number(a.case_id),
      institutionId: a.institution_id,
      claimId: a.claim_no,
      status: a.status,
      outcome: a.outcome,
      amount: a.amount,
      // a reason lodged before appeals had ids (migration 0018) belongs to its case's first appeal
      reasons: reasons
        .filter((r) => (r.appeal_id === null ? firstOf.get(Number(a.case_id)) === Number(a.id) : Number(r.appeal_id) === Number(a.id)))
        .map((r) => ({ reason: r.reason, lodgedBy: r.created_by, lodgedAt: iso(r.at_ms) as string })),
      openedAt: iso(a.opened_ms) as string,
      decidedAt: iso(a.decided_ms),
      decision: k
        ? {
            outcome: k.outcome as 'confirmed' | 'dismissed',
            amountRefused: k.amount_refused,
            basis: k.basis,
            lines: (typeof k.lines === 'string' ? JSON.parse(k.lines) : (k.lines ?? [])) as RefusalLine[],
          }
        : null,
    };
  });
}
export type Appeal = Awaited<ReturnType<typeof appealsOf>>[number];

/** What the case actions share: the database, the clock and the queue's settings. */
interface CasesEnv {
  database: Database;
  drawPool: number;
  /** runs after each action's transaction commits */
  afterCommit: () => void;
  now: () => number;
  caseDueDays: number;
}

/** One case as `viewer` may see it. */
async function readCase(env: CasesEnv, q: Query, id: number, viewer?: Person) {
  const rows = await q<CaseRow>(`select ${CASE_COLUMNS} from review_cases c join claims cl on cl.id = c.claim_id where c.id = $1`, [id]);
  if (!rows[0]) throw new NotFoundError(`No review case ${id}`);
  return toCase(rows[0], env.now(), viewer, env.caseDueDays);
}

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

/** A reason row as the case detail answers it. */
const reasonJson = (r: Record<string, unknown>) => ({
  id: Number(r.id),
  kind: String(r.kind),
  findingId: (r.finding_id as string | null) ?? null,
  ruleId: (r.rule_id as string | null) ?? null,
  family: (r.family as string | null) ?? null,
  severity: (r.severity as string | null) ?? null,
  amount: String(r.amount),
  detail: json(r.detail) as Record<string, unknown>,
  createdBy: String(r.created_by),
  createdAt: iso(r.at_ms as number) as string,
  note: r.kind === 'appeal' ? String((json(r.detail) as { reason?: unknown }).reason ?? '') : null,
});

/** A finding row as the case detail answers it. */
const findingJson = (r: Record<string, unknown>) => ({
  id: String(r.id),
  ruleId: String(r.rule_id),
  ruleVersion: Number(r.rule_version),
  family: String(r.family),
  severity: String(r.severity),
  status: String(r.status),
  message: json(r.message) as { zh: string; en: string },
  violatingLines: json(r.violating_lines) as string[],
  involvedLines: json(r.involved_lines) as string[],
  otherClaims: json(r.other_claims) as unknown[],
  amount: String(r.amount),
  retrospective: Boolean(r.retrospective),
  foundBy: { institutionId: String(r.src_inst), claimId: String(r.src_claim) },
});

/** A conclusion row as the case detail answers it. */
const conclusionJson = (r: Record<string, unknown>) => ({
  id: Number(r.id),
  outcome: r.outcome as 'confirmed' | 'dismissed',
  refusedLines: json(r.refused_lines) as string[],
  amountRefused: String(r.amount_refused),
  basis: String(r.basis),
  concludedBy: String(r.concluded_by),
  concludedAt: iso(r.at_ms as number) as string,
  lines: (json(r.lines) ?? []) as RefusalLine[],
});

/** A second review row as the case detail answers it. */
const secondReviewJson = (r: Record<string, unknown>) => ({
  id: Number(r.id),
  conclusionId: Number(r.conclusion_id),
  verdict: r.verdict as 'agree' | 'send_back',
  reason: (r.reason as string | null) ?? null,
  reviewedBy: String(r.reviewed_by),
  reviewedAt: iso(r.at_ms as number) as string,
});

/** The queue as `viewer` may see it (an auditor blind to reasons and priority of what is not concluded). */
async function queueOf(env: CasesEnv, f: QueueFilter, viewer?: Person) {
  if (viewer?.role === 'auditor' && f.reason === 'sample') throw new ValidationError([{ path: 'reason', message: 'sample is for supervisors and admins: auditors work the random re-check blind' }]);
  if (viewer?.role === 'auditor' && f.sort === 'amount') throw new ValidationError([{ path: 'sort', message: 'amount is for supervisors and admins: auditors work the random re-check blind' }]);
  // an auditor's "due" is the case's own due date only: the sample's would tell which cases are the re-check's
  const order = viewer?.role === 'auditor' && f.sort === 'due' ? ORDER_BY.oldest : ORDER_BY[f.sort ?? 'priority'];
  const institution = f.institution?.trim() || null;
  const params = [
    f.status?.length ? f.status.join(',') : null,
    f.reason ?? null,
    f.family ?? null,
    f.institutionId ?? null,
    f.assignee ?? null,
    f.month ?? null,
    f.minAgeDays ?? null,
    f.maxAgeDays ?? null,
    f.claimId?.trim() ? likeLiteral(f.claimId.trim()) : null,
    institution,
    institution === null ? null : likeLiteral(institution),
  ];
  const [rows, count] = await Promise.all([
    env.database.query<CaseRow>(
      `select ${CASE_COLUMNS} from review_cases c join claims cl on cl.id = c.claim_id
       where ${QUEUE_WHERE} order by ${order} limit $12 offset $13`,
      [...params, f.limit, f.offset],
    ),
    env.database.query<{ n: number }>(`select count(*)::int as n from review_cases c where ${QUEUE_WHERE}`, params),
  ]);
  const at = env.now();
  return { total: Number(count[0]?.n ?? 0), limit: f.limit, offset: f.offset, items: rows.map((r) => toCase(r, at, viewer, env.caseDueDays)) };
}

async function caseDetail(env: CasesEnv, id: number, viewer?: Person) {
  const { database } = env;
  const c = await readCase(env, database.query, id, viewer);
  const [claimRows, reasons, findings, conclusions, reviews, trail, references, money, appeals] = await Promise.all([
    database.query<{ body: unknown; answer: unknown }>('select body, claim_answer(c) as answer from claims c where id = $1', [c.claim.id]),
    database.query<Record<string, unknown>>(
      `select id, kind, finding_id, rule_id, family, severity, amount::text as amount, detail, created_by,
              (extract(epoch from created_at) * 1000)::float8 as at_ms
       from review_reasons where case_id = $1 order by id`,
      [id],
    ),
    database.query<Record<string, unknown>>(
      `select f.id, f.rule_id, f.rule_version, f.family, f.severity, f.status, f.message, f.violating_lines,
              f.involved_lines, f.other_claims, f.amount::text as amount, f.retrospective,
              s.institution_id as src_inst, s.claim_no as src_claim
       from findings f join claims s on s.id = f.source_claim_id where f.claim_id = $1 order by f.created_at, f.id`,
      [c.claim.id],
    ),
    database.query<Record<string, unknown>>(
      `select id, outcome, refused_lines, amount_refused::text as amount_refused, basis, concluded_by, lines,
              (extract(epoch from concluded_at) * 1000)::float8 as at_ms
       from review_conclusions where case_id = $1 order by id`,
      [id],
    ),
    database.query<Record<string, unknown>>(
      `select id, conclusion_id, verdict, reason, reviewed_by, (extract(epoch from reviewed_at) * 1000)::float8 as at_ms
       from review_second_reviews where case_id = $1 order by id`,
      [id],
    ),
    readTrail(database, { caseId: id, limit: 1000 }),
    claimReferences(database, c.claim.id),
    intakeMoney(database.query, c.claim.id),
    appealsOf(database.query, 'a.case_id = $1', [id]),
  ]);
  return {
    case: c,
    claimBody: json(claimRows[0]?.body),
    answer: json(claimRows[0]?.answer),
    reasons: reasons.filter((r) => !(c.blinded && r.kind === 'sample')).map(reasonJson),
    findings: findings.map(findingJson),
    /** findings carried by other claims that name this one: no case, no amount here */
    references,
    conclusions: conclusions.map(conclusionJson),
    secondReviews: reviews.map(secondReviewJson),
    /** the intake's decision and what it withheld per line: a review refuses only what is still payable */
    money: intakeMoneyJson(money),
    appeals,
    trail,
  };
}

/**
 * Double random: the person is drawn one case at random among the `drawPool` most urgent open
 * cases of institutions they have no declared conflict with, unless a case of the random
 * re-check is ripe (its time to be taken has come, src/review/sampling.ts closeMonth): then the
 * ripe one due first, whatever the targeted backlog (docs/review-recheck.md). The pool is read
 * and counted either way, so the trail's `drawnFrom` does not tell which way a case was drawn. Rows being drawn by others are
 * skipped (FOR UPDATE SKIP LOCKED), so concurrent draws never get the same case. The order is
 * spelled as review_cases_queue_idx is (priority DESC NULLS LAST; priority is never null): with
 * plain DESC (NULLS FIRST) the index does not give the order, and each draw read and sorted every
 * open case (measured: ~100 ms at 10,000 open cases, against ~1 ms reading the index's first rows).
 *
 * One statement, run on its own (autocommit): the separation-of-duties check, the candidates,
 * the pick, the assignment and the trail entry commit together or not at all, in one round trip
 * (under many auditors at once, each round trip of a transaction would add to the draw's queueing). The pick is the row at a position chosen here with
 * crypto.randomInt's source, so the database's random() is not relied on. The trail body is
 * the same canonical JSON appendTrail writes: it is written here with placeholders for the two
 * numbers only the statement knows (the case id, how many candidates it was drawn from), and a
 * drawn case was open, which every writer leaves with no assignee and no final outcome.
 */
async function drawCase(env: CasesEnv, person: Person) {
  if (person.role !== 'auditor' && person.role !== 'supervisor') throw new ForbiddenError(`The role ${person.role} does not review cases`);
  const at = new Date().toISOString();
  const [head, middle, tail] = splitBody(
    canonicalJson({
      at,
      actor: person.name,
      action: 'case.draw',
      caseId: CASE_ID_MARK,
      before: { status: 'open', assignee: null, finalOutcome: null },
      after: { status: 'assigned', assignee: person.name, finalOutcome: null, drawnFrom: DRAWN_FROM_MARK },
    }),
  );
  const rows = await env.database.query<CaseRow & { bar: string | null; drawn_from: number | null }>(
    `with bar as (${CONCLUDE_BAR_SQL}),
     ripe as (
       select c.id from review_cases c
       where not exists (select 1 from bar) and c.status = 'open' and c.sample_ripe_at <= $8::timestamptz and not exists (select 1 from review_conflicts k
         where k.person = $1 and k.institution_id = c.institution_id and k.withdrawn_at is null)
       order by c.sample_due_at, c.sample_ripe_at, c.id limit 1 for update of c skip locked),
     candidates as (
       select c.id from review_cases c
       where not exists (select 1 from bar) and c.status = 'open' and not exists (select 1 from review_conflicts k
         where k.person = $1 and k.institution_id = c.institution_id and k.withdrawn_at is null)
       order by c.priority desc nulls last, c.opened_at, c.id limit $2 for update of c skip locked),
     pick as (
       select id, n from (select id, row_number() over () as rn, count(*) over () as n from candidates) x
       where not exists (select 1 from ripe) and rn = 1 + least(n - 1, floor($3::float8 * n))
       union all
       select id, (select count(*) from candidates) from ripe),
     drawn as (
       update review_cases c set status = 'assigned', assignee = $1, assigned_at = now(), updated_at = now()
       from pick where c.id = pick.id returning c.*, pick.n),
     entry as (
       insert into review_trail (at, actor, action, case_id, body)
       select $4::timestamptz, $1, 'case.draw', drawn.id, $5::text || drawn.n::text || $6::text || drawn.id::text || $7::text from drawn returning seq)
     select (select what from bar) as bar, x.* from (select 1) one left join (
       select ${CASE_COLUMNS}, c.n::int as drawn_from, (select count(*) from entry) as entries
       from drawn c join claims cl on cl.id = c.claim_id) x on true`,
    [person.name, env.drawPool, randomInt(2 ** 47) / 2 ** 47, at, head, middle, tail, new Date(env.now()).toISOString()],
  );
  env.afterCommit();
  const row = rows[0]!;
  if (row.bar) throw new ForbiddenError(`Separation of duties: ${person.name} ${row.bar}, and whoever changes rules, parameters or keys may not conclude cases`);
  return row.drawn_from === null ? null : toCase(row, env.now(), person, env.caseDueDays);
}

/**
 * `afterCommit` runs after each action's transaction commits (the service seals the trail there;
 * see src/review/trail.ts).
 */
export function createReviewCases({
  database,
  drawPool,
  afterCommit = () => {},
  now = Date.now,
  caseDueDays = DEFAULT_CASE_DUE_DAYS,
}: {
  database: Database;
  drawPool: number;
  afterCommit?: () => void;
  now?: () => number;
  caseDueDays?: number;
}) {
  const env: CasesEnv = { database, drawPool, afterCommit, now, caseDueDays };
  const act = async <R>(fn: (q: Query) => Promise<R>): Promise<R> => {
    const result = await database.transaction(fn);
    afterCommit();
    return result;
  };
  const one = (q: Query, id: number, viewer?: Person) => readCase(env, q, id, viewer);

  return {
    /** The queue as `viewer` may see it (an auditor blind to reasons and priority of what is not concluded). */
    /** The queue as `viewer` may see it (an auditor blind to reasons and priority of what is not concluded). */
    queue: (f: QueueFilter, viewer?: Person) => queueOf(env, f, viewer),

    get: (id: number, viewer?: Person) => one(database.query, id, viewer),

    /** The case with its claim, answer, reasons, findings, both review levels, money, appeals and trail. */
    detail: (id: number, viewer?: Person) => caseDetail(env, id, viewer),

    /** Draws one case for the person (see drawCase). */
    draw: (person: Person) => drawCase(env, person),

    /** The first level: the assignee concludes, confirmed (lines, amount, basis) or dismissed (reason). */
    async conclude(person: Person, id: number, input: ConclusionInput) {
      return act(async (q) => {
        const row = await lockCase(q, id);
        requireStatus(row, ['assigned', 'returned'], 'a conclusion');
        if (row.assignee !== person.name) throw new ForbiddenError(`Case ${id} is assigned to ${row.assignee ?? 'nobody'}, not to ${person.name}`);
        await assertMayConclude(q, person);
        await assertNoConflict(q, person, row.institution_id);
        let refused: string[] = [];
        let lines: RefusalLine[] = [];
        let amountFen = 0;
        let basis: string;
        if (input.outcome === 'confirmed') {
          // Money counted once: only what is still payable after the intake may be refused (docs/review-money.md).
          const worked = computeRefusals(await intakeMoney(q, row.claim_id), input);
          if ('issues' in worked) throw new ValidationError(worked.issues);
          lines = worked.lines;
          refused = lines.map((l) => l.lineId);
          amountFen = worked.totalFen;
          basis = maskPersonalData(input.basis);
        } else basis = maskPersonalData(input.reason);
        const ins = await q<{ id: string }>(
          `insert into review_conclusions (case_id, outcome, refused_lines, amount_refused, basis, concluded_by, lines)
           values ($1, $2, $3::jsonb, $4, $5, $6, $7::jsonb) returning id`,
          [id, input.outcome, JSON.stringify(refused), formatFen(amountFen), basis, person.name, JSON.stringify(lines)],
        );
        await q(`update review_cases set status = 'concluded', updated_at = now() where id = $1`, [id]);
        await appendTrail(q, {
          actor: person.name,
          action: 'case.conclude',
          caseId: id,
          before: snapshot(row),
          after: {
            status: 'concluded',
            assignee: row.assignee,
            finalOutcome: null,
            conclusionId: Number(ins[0]!.id),
            outcome: input.outcome,
            refusedLines: refused,
            amountRefused: formatFen(amountFen),
            basis,
            ...(lines.length ? { lines } : {}),
          },
        });
        return one(q, id, person);
      });
    },

    /** The second level: a different person agrees (the conclusion stands) or sends it back with a reason; no edits. */
    async secondReview(person: Person, id: number, input: SecondReviewInput) {
      return act(async (q) => {
        const row = await lockCase(q, id);
        requireStatus(row, ['concluded'], 'a second review');
        const last = (
          await q<{ id: string; outcome: 'confirmed' | 'dismissed'; concluded_by: string }>('select id, outcome, concluded_by from review_conclusions where case_id = $1 order by id desc limit 1', [
            id,
          ])
        )[0]!;
        if (last.concluded_by === person.name) throw new ForbiddenError(`${person.name} concluded case ${id} and may not second-review their own conclusion`);
        await assertMayConclude(q, person);
        await assertNoConflict(q, person, row.institution_id);
        const reason = input.verdict === 'send_back' ? maskPersonalData(input.reason) : null;
        await q('insert into review_second_reviews (conclusion_id, case_id, verdict, reason, reviewed_by) values ($1, $2, $3, $4, $5)', [Number(last.id), id, input.verdict, reason, person.name]);
        const after =
          input.verdict === 'agree' ? { status: 'closed' as const, assignee: row.assignee, finalOutcome: last.outcome } : { status: 'returned' as const, assignee: row.assignee, finalOutcome: null };
        await q('update review_cases set status = $2, final_outcome = $3, updated_at = now() where id = $1', [id, after.status, after.finalOutcome]);
        // An agreed conclusion decides the case's open appeal: dismissed (no violation) grants it, confirmed rejects it.
        const decided =
          input.verdict === 'agree'
            ? (
                await q<{ id: string }>(`update review_appeals set status = 'decided', outcome = $2, conclusion_id = $3, decided_at = now() where case_id = $1 and status = 'open' returning id`, [
                  id,
                  last.outcome === 'dismissed' ? 'granted' : 'rejected',
                  Number(last.id),
                ])
              ).map((a) => Number(a.id))
            : [];
        await appendTrail(q, {
          actor: person.name,
          action: input.verdict === 'agree' ? 'case.agree' : 'case.send_back',
          caseId: id,
          before: snapshot(row),
          after: { ...after, conclusionId: Number(last.id), reason, ...(decided.length ? { appealsDecided: decided, appealOutcome: last.outcome === 'dismissed' ? 'granted' : 'rejected' } : {}) },
        });
        return one(q, id, person);
      });
    },

    /** Gives a drawn case back to the pool (the assignee, or a supervisor), with a reason. */
    async release(person: Person, id: number, said: string) {
      const reason = maskPersonalData(said);
      return act(async (q) => {
        const row = await lockCase(q, id);
        requireStatus(row, ['assigned', 'returned'], 'a release');
        if (row.assignee !== person.name && person.role !== 'supervisor') throw new ForbiddenError(`Case ${id} is assigned to ${row.assignee}; only they or a supervisor may release it`);
        await q(`update review_cases set status = 'open', assignee = null, assigned_at = null, updated_at = now() where id = $1`, [id]);
        await appendTrail(q, { actor: person.name, action: 'case.release', caseId: id, before: snapshot(row), after: { status: 'open', assignee: null, finalOutcome: null, reason } });
        return one(q, id, person);
      });
    },

    /** A correction: a supervisor reopens a closed case; its conclusions and reviews stay as they were. */
    async reopen(person: Person, id: number, said: string) {
      const reason = maskPersonalData(said);
      return act(async (q) => {
        const row = await lockCase(q, id);
        requireStatus(row, ['closed'], 'reopening');
        await q(`update review_cases set status = 'open', assignee = null, assigned_at = null, final_outcome = null, updated_at = now() where id = $1`, [id]);
        // The decision an appeal had from this case is being corrected: the appeal is open again.
        const reopened = (
          await q<{ id: string }>(
            `update review_appeals a set status = 'open', outcome = null, conclusion_id = null, decided_at = null
           where a.id = (select max(id) from review_appeals where case_id = $1 and status = 'decided')
             and not exists (select 1 from review_appeals o where o.claim_id = a.claim_id and o.status = 'open') returning a.id`,
            [id],
          )
        ).map((a) => Number(a.id));
        await appendTrail(q, {
          actor: person.name,
          action: 'case.reopen',
          caseId: id,
          before: snapshot(row),
          after: { status: 'open', assignee: null, finalOutcome: null, reason, ...(reopened.length ? { appealsReopened: reopened } : {}) },
        });
        return one(q, id, person);
      });
    },

    /** The settlement system (or the institution through it) appeals a withheld claim: a case with an appeal reason. */
    async appeal(person: Person, sent: { institutionId: string; claimId: string; reason: string }) {
      const input = { ...sent, reason: maskPersonalData(sent.reason) };
      if (person.role === 'institution' && person.institutionId !== input.institutionId) throw new ForbiddenError(`The key of institution ${person.institutionId} appeals its own claims only`);
      return act(async (q) => {
        const claim = (
          await q<{ id: string; decision: string; answer: unknown }>(
            `select c.id, c.decision, c.answer from claim_keys k
           join claims c on c.id = k.claim_id and c.person_hash = k.person_hash and c.service_month = k.service_month
           where k.institution_id = $1 and k.claim_no = $2`,
            [input.institutionId, input.claimId],
          )
        )[0];
        if (!claim) throw new NotFoundError(`No claim ${input.institutionId}/${input.claimId}`);
        const answer = (typeof claim.answer === 'string' ? JSON.parse(claim.answer) : claim.answer) as { withheldAmount?: string; withheldLines?: unknown[] };
        if (claim.decision !== 'withhold') throw new ConflictError(`Claim ${input.institutionId}/${input.claimId} was not withheld (decision ${claim.decision}): there is nothing to appeal`);
        const caseId = Number((await q<{ id: string }>('select review_open_case($1) as id', [claim.id]))[0]!.id);
        const before = await lockCase(q, caseId);
        // One open appeal per claim (the case row's lock orders concurrent appeals): a second one adds its reason to it, and no money.
        const open = (await q<{ id: string }>(`select id from review_appeals where claim_id = $1 and status = 'open'`, [claim.id]))[0];
        const appealId = open
          ? Number(open.id)
          : Number(
              (
                await q<{ id: string }>(`insert into review_appeals (case_id, claim_id, institution_id, claim_no, amount, opened_by) values ($1, $2, $3, $4, $5, $6) returning id`, [
                  caseId,
                  claim.id,
                  input.institutionId,
                  input.claimId,
                  answer.withheldAmount ?? '0',
                  person.name,
                ])
              )[0]!.id,
            );
        await q(`insert into review_reasons (case_id, kind, severity, amount, detail, created_by) values ($1, 'appeal', 'violation', $2, $3::jsonb, $4)`, [
          caseId,
          open ? '0' : (answer.withheldAmount ?? '0'),
          JSON.stringify({ reason: input.reason, appealId, withheldLines: answer.withheldLines ?? [] }),
          person.name,
        ]);
        await q('select review_refresh_case($1, true)', [caseId]);
        const c = await one(q, caseId);
        await appendTrail(q, {
          actor: person.name,
          action: 'case.appeal',
          caseId,
          before: snapshot(before),
          after: { ...snapshot({ status: c.status, assignee: c.assignee, final_outcome: c.finalOutcome }), reason: input.reason, appealId, joined: Boolean(open) },
        });
        return { ...c, appealId, joined: Boolean(open) };
      });
    },

    /** What a confirmed conclusion's refusals could refuse at most (the page fills a blank amount with it). */
    async refusalCeiling(id: number, input: RefusalInput) {
      const [row] = await database.query<{ claim_id: string }>('select claim_id from review_cases where id = $1', [id]);
      if (!row) throw new NotFoundError(`No review case ${id}`);
      return refusalCeiling(await intakeMoney(database.query, row.claim_id), input);
    },

    /** Appeals, newest first; an institution's key sees its own only (its filter is forced to its institution). */
    async appeals(f: AppealFilter, viewer: Person) {
      const institutionId = viewer.role === 'institution' ? viewer.institutionId : f.institutionId;
      const where = `($1::text is null or a.institution_id = $1) and ($2::text is null or a.claim_no = $2) and ($3::text is null or a.status = $3)`;
      const params = [institutionId ?? null, f.claimId ?? null, f.status ?? null];
      const [items, count] = await Promise.all([
        appealsOf(database.query, `${where} order by a.opened_at desc, a.id desc limit $4 offset $5`, [...params, f.limit, f.offset]),
        database.query<{ n: number }>(`select count(*)::int as n from review_appeals a where ${where}`, params),
      ]);
      return { total: Number(count[0]?.n ?? 0), limit: f.limit, offset: f.offset, items };
    },

    /** One appeal; another institution's appeal is not found for an institution's key. */
    async appealById(appealId: number, viewer: Person) {
      const [a] = await appealsOf(database.query, 'a.id = $1 and ($2::text is null or a.institution_id = $2)', [appealId, viewer.role === 'institution' ? viewer.institutionId : null]);
      if (!a) throw new NotFoundError(`No appeal ${appealId}`);
      return a;
    },
  };
}

export type ReviewCases = ReturnType<typeof createReviewCases>;
