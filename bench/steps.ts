/**
 * `npx tsx bench/steps.ts`: what each step of a claim costs in the service's Node process, in
 * microseconds a claim, on the intake benchmark's claims (bench/claims.ts: inpatient stays of 8 to
 * 12 lines, a new person each). Where the hot path was changed, the way it was done before runs
 * beside the way it is done now, on the same claims, so the table says what each change bought.
 * No database and no HTTP: the rules see the benchmark's reference data in memory
 * (bench/in-process.ts) and an empty history, as every claim of the intake benchmark does.
 *
 * Flags: --claims <n> (2000) --repeat <n> (7: the fastest of n passes is reported)
 */
import { createHmac, randomUUID } from 'node:crypto';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { v7 } from 'uuid';
import type { Claim } from '../rules/claim.js';
import { catalogue } from '../rules/catalogue.js';
import { decide } from '../rules/decide.js';
import { evaluateRules } from '../rules/engine.js';
import { windowNeeds, type WindowNeeds } from '../rules/institution/needs.js';
import { doctorOf, WINDOW } from '../rules/institution/window.js';
import type { ReferenceBatch } from '../sim/simulation.js';
import { buildAnswer } from '../src/claims/answer.js';
import { buildClaimSchema, claimContract, type ClaimInput } from '../src/claims/claim.schema.js';
import { claimRecordHead, claimsParameter, type ScreenedClaim } from '../src/claims/claims.repository.js';
import { claimQuality } from '../src/claims/quality.js';
import { dateRangeIssues } from '../src/claims/date-range.js';
import { normalizeClaim, storableBody } from '../src/claims/normalize.js';
import { canonicalJson, keyedHash } from '../src/lib/hash.js';
import { formatFen, formatTenThousandths } from '../src/lib/money.js';
import { cstDate, cstMonth, isoInstant } from '../src/lib/time.js';
import { uuid7 } from '../src/lib/uuid7.js';
import { categoryBounds, historyRecord } from '../src/screening/history.repository.js';
import { splitFindings } from '../src/screening/findings.js';
import { snapshotView } from '../src/screening/reference-cache.js';
import { claimTemplates, fillClaim, ITEMS } from './claims.js';
import { buildReference } from './in-process.js';

const { values } = parseArgs({ options: { claims: { type: 'string', default: '2000' }, repeat: { type: 'string', default: '7' } } });
const N = Number(values.claims);
const REPEAT = Number(values.repeat);
const SECRET = 'bench-steps-secret-0123456789abcdefghijkl';

const money = (fen: number) => (fen / 100).toFixed(2);
const batches: ReferenceBatch[] = [
  {
    kind: 'institutions',
    records: Array.from({ length: 8 }, (_, i) => ({
      institutionId: `H3201020000${i + 1}`,
      name: `南京市第${i + 1}医院`,
      type: 'hospital',
      level: i < 6 ? 'tertiary' : 'secondary',
      ownership: 'public',
      area: '320102',
      beds: 800,
      designatedFrom: '2010-01-01',
      validFrom: '2000-01-01',
    })),
  },
  {
    kind: 'catalogue-items',
    records: ITEMS.map((item) => ({
      itemCode: item.code,
      name: item.name,
      category: item.category,
      unit: '次',
      priceCeiling: { primary: money(item.priceFen), secondary: item.hcode === 'CT01' ? '200.00' : money(item.priceFen), tertiary: money(item.priceFen) },
      validFrom: '2000-01-01',
    })),
  },
] as unknown as ReferenceBatch[];
const reference = buildReference(batches);

const templates = claimTemplates(Math.min(N, 1000));
const bodies = Array.from({ length: N }, (_, i) => fillClaim(templates[i % templates.length] as string, `STEP-${i}`, `3201${String(i).padStart(12, '0')}`));

const zod = claimContract({ maxLines: 1000 });
const compiled = buildClaimSchema({ maxLines: 1000 });

let sink = 0;
/** one pass over every claim, ms */
function pass<T>(inputs: readonly T[], step: (x: T) => unknown): number {
  const started = performance.now();
  for (const x of inputs) if (step(x) !== undefined) sink++;
  return performance.now() - started;
}
/** the fastest of REPEAT passes over every claim, µs a claim */
function time<T>(inputs: readonly T[], step: (x: T) => unknown): number {
  let best = Infinity;
  for (let r = 0; r < REPEAT; r++) best = Math.min(best, pass(inputs, step));
  return (best / inputs.length) * 1000;
}
/** before and now in alternating passes (a busy machine's drift falls on both alike), the fastest of each */
function pair<T>(inputs: readonly T[], before: (x: T) => unknown, now: (x: T) => unknown): { before: number; now: number } {
  let b = Infinity;
  let n = Infinity;
  for (let r = 0; r < REPEAT; r++) {
    b = Math.min(b, pass(inputs, before));
    n = Math.min(n, pass(inputs, now));
  }
  return { before: (b / inputs.length) * 1000, now: (n / inputs.length) * 1000 };
}

// each step's inputs, computed once by the steps before it
const raw = bodies.map((b) => JSON.parse(b) as unknown);
const inputs = raw.map((r) => compiled.parse(r) as ClaimInput);
const personHashes = inputs.map((i) => keyedHash(SECRET, i.insured.id));
const claims = inputs.map((i, k) => normalizeClaim(i, personHashes[k] as string));
const now = Date.now();
const screened = claims.map((claim) => {
  const view = snapshotView(reference.snapshot, new Map(), { personHash: claim.personHash, versions: [] });
  const { findings } = evaluateRules(catalogue, { claim, history: { personClaims: [], institutionMonthQuantity: new Map() }, reference: view, serviceDate: cstDate(claim.startedAt) });
  const decision = decide(claim, findings);
  const split = splitFindings(claim, findings);
  const answer = buildAnswer({ id: randomUUID(), claim, findings: split.ownFindings, findingIds: split.own.map((f) => f.id), decision, screenedAt: now });
  return { claim, findings, decision, split, answer };
});
const withFindings = screened.filter((s) => s.findings.length > 0).length;

// the insert's records as they were built before: objects, the body and answer objects inside, stringified whole
function recordsBefore(s: (typeof screened)[number], input: ClaimInput, contentHash: string) {
  const c = s.claim;
  const q = claimQuality(c);
  const claim = {
    id: s.answer.id,
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
    hash: contentHash,
    client: null,
    body: storableBody(input),
    answer: s.answer,
    nl: q.lineCount,
    nname: q.linesMissingName,
    nspec: q.linesMissingSpec,
    settled: c.settledAt === undefined ? null : isoInstant(c.settledAt),
    seen: 0,
  };
  const lines = c.lines.map((l) => ({
    cid: s.answer.id,
    n: l.lineNo,
    id: l.lineId,
    item: l.itemCode,
    hcode: l.hospitalItemCode ?? null,
    hname: l.hospitalItemName ?? null,
    cat: l.category,
    at: isoInstant(l.serviceAt),
    day: l.serviceDate,
    qty: formatTenThousandths(l.quantity),
    price: formatTenThousandths(l.unitPrice),
    amt: formatFen(l.amountFen),
  }));
  return JSON.stringify([claim]).length + JSON.stringify(lines).length;
}
// and now: the body and the answer arrive as text, each record is written as text
function recordsNow(s: (typeof screened)[number], bodyJson: string, answerJson: string, contentHash: string) {
  const c = s.claim;
  const q = claimQuality(c);
  const head = JSON.stringify({
    id: s.answer.id,
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
    hash: contentHash,
    client: null,
    nl: q.lineCount,
    nname: q.linesMissingName,
    nspec: q.linesMissingSpec,
    settled: c.settledAt === undefined ? null : isoInstant(c.settledAt),
    seen: 0,
  });
  const lines: string[] = [];
  for (const l of c.lines)
    lines.push(
      JSON.stringify({
        cid: s.answer.id,
        n: l.lineNo,
        id: l.lineId,
        item: l.itemCode,
        hcode: l.hospitalItemCode ?? null,
        hname: l.hospitalItemName ?? null,
        cat: l.category,
        at: isoInstant(l.serviceAt),
        day: l.serviceDate,
        qty: formatTenThousandths(l.quantity),
        price: formatTenThousandths(l.unitPrice),
        amt: formatFen(l.amountFen),
      }),
    );
  return `[${head.slice(0, -1)},"body":${bodyJson},"answer":${answerJson}}]`.length + `[${lines.join(',')}]`.length;
}

const idx = inputs.map((_, i) => i);
const answerJsons = screened.map((s) => JSON.stringify(s.answer));
const hashes = claims.map((c) => keyedHash(SECRET, JSON.stringify(c)));

// the instants written as text for one claim: its stay and lines (the insert) and the bounds of its
// history read (src/screening/history.repository.ts: the person's year, the institution window)
const HOUR = 3_600_000;
const instantsOf = (c: Claim) => [
  c.startedAt,
  c.endedAt,
  ...c.lines.map((l) => l.serviceAt),
  c.startedAt - 395 * 24 * HOUR,
  c.endedAt + 30 * 24 * HOUR,
  c.startedAt - 30 * 24 * HOUR,
  c.startedAt,
  c.startedAt - 2 * HOUR,
  c.startedAt + 2 * HOUR,
  c.startedAt - 7 * 24 * HOUR,
  c.startedAt + 8 * 24 * HOUR,
  c.startedAt - 8 * HOUR,
  c.startedAt + 16 * HOUR,
];

// the history read's parameters as they were built before: the window's bounds spread into the
// record (with the category bounds when a short stay reads admissions), the window's needs asked
// twice a claim (once to register the claim in flight, once for the record)
const DAY = 86_400_000;
const CST = 8 * 3_600_000;
const WINDOW_DAYS = 30;
const view = snapshotView(reference.snapshot, new Map(), { personHash: '', versions: [] });
const needsOf = (c: Claim): WindowNeeds => windowNeeds(c, view, () => undefined);
function historyRecordBefore(claim: Claim, ord: number) {
  needsOf(claim);
  const needs = needsOf(claim);
  const inpatient = claim.visitType === 'inpatient';
  const startDay = Math.floor((claim.startedAt + CST) / DAY);
  const dayStart = startDay * DAY - CST;
  const short = inpatient && Math.floor((claim.endedAt + CST) / DAY) - startDay <= WINDOW.admissionMaxStay;
  const window = {
    at: isoInstant(claim.startedAt),
    nlo: inpatient || !needs.nearby ? undefined : isoInstant(claim.startedAt - WINDOW.nearbyMinutes * 60_000),
    nhi: inpatient || !needs.nearby ? undefined : isoInstant(claim.startedAt + WINDOW.nearbyMinutes * 60_000),
    alo: short && needs.admissions ? isoInstant(dayStart - WINDOW.admissionDays * DAY) : undefined,
    ahi: short && needs.admissions ? isoInstant(dayStart + (WINDOW.admissionDays + 1) * DAY - 1) : undefined,
    ...(short && needs.admissions ? categoryBounds(needs.admissionCategories) : {}),
    doc: needs.doctor ? doctorOf(claim) : undefined,
    vtype: claim.visitType,
    dlo: isoInstant(dayStart),
    dhi: isoInstant(dayStart + DAY),
    cnight: inpatient && needs.census > 0 ? cstDate(dayStart + DAY) : undefined,
    ccap: needs.census,
    wmlo: cstMonth(dayStart - WINDOW.admissionDays * DAY),
    wmhi: cstMonth(dayStart + (WINDOW.admissionDays + 1) * DAY),
  };
  return JSON.stringify({
    ord,
    person: claim.personHash,
    lo: isoInstant(claim.startedAt - (WINDOW_DAYS + 365) * DAY),
    hi: isoInstant(claim.endedAt + WINDOW_DAYS * DAY),
    endlo: isoInstant(claim.startedAt - WINDOW_DAYS * DAY),
    inst: claim.institutionId,
    cno: claim.claimNo,
    codes: [...new Set(claim.lines.map((l) => l.itemCode))],
    month: cstMonth(claim.startedAt),
    endmonth: cstMonth(claim.endedAt),
    mlo: cstMonth(claim.startedAt - (WINDOW_DAYS + 365) * DAY),
    mhi: cstMonth(claim.endedAt + WINDOW_DAYS * DAY),
    ...window,
  });
}
const historyRecordNow = (claim: Claim, ord: number) => JSON.stringify(historyRecord(claim, ord, needsOf(claim), WINDOW_DAYS));
for (const [i, c] of claims.entries()) if (!isDeepStrictEqual(JSON.parse(historyRecordBefore(c, i)), JSON.parse(historyRecordNow(c, i)))) throw new Error(`history record of claim ${i} differs`);

const hmacBefore = (value: string) => createHmac('sha256', SECRET).update(value).digest('base64url');
const claimJsons = claims.map((c) => JSON.stringify(c));
for (const [i, j] of claimJsons.entries()) if (hmacBefore(j) !== keyedHash(SECRET, j)) throw new Error(`content hash of claim ${i} differs`);
const idsPerClaim = screened.map((s) => 1 + s.split.own.length);

// the insert's claims parameter as the driver sends it (postgres.js measures it with
// Buffer.byteLength, then writes it into its buffer), for statements of 16 claims: before, each
// record a template string and the array `[${records.join(',')}]`; now one join of every piece
const BATCH = 16;
const stored: ScreenedClaim[] = screened.map((s, i) => ({
  id: s.answer.id,
  claim: s.claim,
  contentHash: hashes[i] as string,
  clientId: null,
  body: undefined,
  bodyJson: JSON.stringify(storableBody(inputs[i] as ClaimInput)),
  answer: s.answer,
  answerJson: answerJsons[i] as string,
  findings: [],
  retrospective: [],
  personVersion: 0,
}));
const statements = Array.from({ length: Math.ceil(stored.length / BATCH) }, (_, k) => stored.slice(k * BATCH, (k + 1) * BATCH));
function claimsParameterBefore(list: readonly ScreenedClaim[]): string {
  const records = list.map((s) => `${claimRecordHead(s).slice(0, -1)},"body":${s.bodyJson as string},"answer":${s.answerJson as string}}`);
  return `[${records.join(',')}]`;
}
for (const [k, list] of statements.entries()) if (claimsParameterBefore(list) !== claimsParameter(list)) throw new Error(`claims parameter of statement ${k} differs`);
let wire = Buffer.allocUnsafe(1 << 20);
/** what postgres.js does with a text parameter: its length in UTF-8, then the bytes written */
function driverEncode(text: string): number {
  const length = Buffer.byteLength(text);
  if (wire.length < length) wire = Buffer.allocUnsafe(2 * length);
  return wire.write(text, 0, length, 'utf8');
}

/** `inside`: the step is also part of another row, and left out of the total */
type Row = { step: string; before?: number; now: number; note?: string; inside?: true };
const rows: Row[] = [
  { step: 'JSON.parse of the body', now: time(bodies, (b) => JSON.parse(b)) },
  {
    step: 'validation (zod interpreter → zod compiled)',
    ...pair(
      raw,
      (r) => zod.safeParse(r),
      (r) => compiled.safeParse(r),
    ),
  },
  {
    step: 'person hash (createHmac → one-shot SHA-256 over the pads)',
    ...pair(
      inputs,
      (i) => hmacBefore(i.insured.id),
      (i) => keyedHash(SECRET, i.insured.id),
    ),
  },
  { step: 'normalise', now: time(idx, (i) => normalizeClaim(inputs[i] as ClaimInput, personHashes[i] as string)) },
  { step: 'dates against the clock', now: time(claims, (c) => dateRangeIssues(c, now)) },
  {
    step: 'HMAC of the content JSON (createHmac → one-shot SHA-256 over the pads)',
    ...pair(
      claimJsons,
      (j) => hmacBefore(j),
      (j) => keyedHash(SECRET, j),
    ),
    note: 'also inside the next row',
    inside: true,
  },
  {
    step: 'content hash (sorted copy → own JSON)',
    ...pair(
      claims,
      (c) => keyedHash(SECRET, canonicalJson(c)),
      (c) => keyedHash(SECRET, JSON.stringify(c)),
    ),
  },
  {
    step: 'rules and decision (23+ rules, empty history)',
    now: time(claims, (claim) => {
      const view = snapshotView(reference.snapshot, new Map(), { personHash: claim.personHash, versions: [] });
      const { findings } = evaluateRules(catalogue, { claim, history: { personClaims: [], institutionMonthQuantity: new Map() }, reference: view, serviceDate: cstDate(claim.startedAt) });
      return decide(claim, findings);
    }),
  },
  {
    step: 'split findings, build the answer',
    now: time(screened, (s) => buildAnswer({ id: s.answer.id, claim: s.claim, findings: splitFindings(s.claim, s.findings).ownFindings, findingIds: [], decision: s.decision, screenedAt: now })),
  },
  {
    step: 'claim and finding ids (uuid7: 16 random bytes a call → drawn 4 KB at a time)',
    ...pair(
      idsPerClaim,
      (n) => {
        let id = '';
        for (let k = 0; k < n; k++) id = v7({ msecs: now });
        return id;
      },
      (n) => {
        let id = '';
        for (let k = 0; k < n; k++) id = uuid7(now);
        return id;
      },
    ),
  },
  {
    step: 'history read parameters (spread records, needs twice → one literal, needs once)',
    ...pair(
      claims,
      (c) => historyRecordBefore(c, 0),
      (c) => historyRecordNow(c, 0),
    ),
    note: 'serialised as sent',
  },
  {
    step: 'answer serialised (twice: database, HTTP → once)',
    ...pair(
      screened,
      (s) => JSON.stringify(s.answer) + JSON.stringify(s.answer),
      (s) => JSON.stringify(s.answer),
    ),
  },
  {
    step: 'ISO instants of a claim (toISOString → integer arithmetic)',
    ...pair(
      claims,
      (c) => instantsOf(c).map((ms) => new Date(ms).toISOString()),
      (c) => instantsOf(c).map(isoInstant),
    ),
    note: 'its lines, its stay and the 10 bounds of its history read; inside the insert records and history steps',
    inside: true,
  },
  {
    step: 'insert records (objects → text; body and answer once)',
    ...pair(
      idx,
      (i) => recordsBefore(screened[i] as (typeof screened)[number], inputs[i] as ClaimInput, hashes[i] as string),
      (i) => recordsNow(screened[i] as (typeof screened)[number], JSON.stringify(storableBody(inputs[i] as ClaimInput)), answerJsons[i] as string, hashes[i] as string),
    ),
    note: 'now includes serialising the stored body',
  },
];

const perStatement = pair(
  statements,
  (list) => driverEncode(claimsParameterBefore(list)),
  (list) => driverEncode(claimsParameter(list)),
);
rows.push({
  step: `insert's claims parameter, built and encoded as the driver does (records joined then bracketed → one join of every piece: a flat string)`,
  before: (perStatement.before * statements.length) / N,
  now: (perStatement.now * statements.length) / N,
  note: `statements of ${BATCH}; overlaps the insert records row`,
  inside: true,
});

const fmt = (n: number | undefined) => (n === undefined ? '' : n.toFixed(1));
console.log(`${N} claims (${withFindings} with findings), fastest of ${REPEAT} passes, µs a claim; node ${process.version}\n`);
console.log('| step | before | now | saved |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.step}${r.note ? ` (${r.note})` : ''} | ${fmt(r.before)} | ${fmt(r.now)} | ${r.before === undefined ? '' : fmt(r.before - r.now)} |`);
const total = (k: 'before' | 'now') => rows.reduce((s, r) => (r.inside ? s : s + (k === 'before' ? (r.before ?? r.now) : r.now)), 0);
if (sink < 0) console.log(sink);
console.log(`| **all steps** (rows marked inside another counted once) | ${fmt(total('before'))} | ${fmt(total('now'))} | ${fmt(total('before') - total('now'))} |`);
export type { Claim };
