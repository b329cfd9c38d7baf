import type { AppDeps } from '../deps.js';
import type { Claim } from '../../rules/claim.js';
import { AppError, ConflictError, ValidationError } from '../errors.js';
import { keyedHash } from '../lib/hash.js';
import { uuid7 } from '../lib/uuid7.js';
import type { KeyedMutex } from '../lib/keyed-mutex.js';
import { assessClaim, type AssessContext } from '../screening/assess.js';
import { splitFindings } from '../screening/findings.js';
import { buildAnswer, type ClaimAnswer } from './answer.js';
import type { ClaimInput } from './claim.schema.js';
import type { ClaimsRepository } from './claims.repository.js';
import { dateRangeIssues } from './date-range.js';
import { normalizeClaim, storableBody } from './normalize.js';

export interface ScreenContext extends AssessContext {
  claims: ClaimsRepository;
  /** serialises the screening of one person's claims in this process */
  personLock: KeyedMutex;
  personIdSecret: string;
  now: () => number;
  clientId: string | null;
}

/** What screening one claim needs from the service: its dependencies, who sent it, the request it came in. */
export function screeningContext(deps: AppDeps, { clientId, requestId }: { clientId: string | null; requestId: string | undefined }): ScreenContext {
  return {
    claims: deps.claims,
    rules: deps.rules,
    ruleOverrides: deps.ruleSettings.overrides,
    history: deps.history,
    reference: deps.referenceCache,
    providerScores: deps.providerScores,
    personLock: deps.personLock,
    personIdSecret: deps.personIdSecret,
    now: deps.now,
    clientId,
    onRuleError: (ruleId, message, { ruleVersion, month }) => {
      deps.metrics.ruleErrors.inc({ rule: ruleId, month });
      deps.ruleErrors.record(ruleId, ruleVersion, month, message);
      deps.logger.warn({ ruleId, err: message, requestId }, 'rule failed');
    },
  };
}

export interface ScreenResult {
  answer: ClaimAnswer;
  /** the answer as JSON text: serialised once, for the database and for the caller */
  answerJson: string;
  /** true when this exact claim was already stored and its stored answer is returned */
  replayed: boolean;
}

/**
 * Screens one validated claim and stores it with its answer. The same content under the same
 * (institution, claim id) returns the stored answer; different content is a conflict.
 */
export async function screenClaim({ ctx, input }: { ctx: ScreenContext; input: ClaimInput }): Promise<ScreenResult> {
  const now = ctx.now();
  const personHash = keyedHash(ctx.personIdSecret, input.insured.id);
  const claim = normalizeClaim(input, personHash);
  const issues = dateRangeIssues(claim, now);
  if (issues.length > 0) throw new ValidationError(issues);

  // normalizeClaim builds the claim in canonical key order: its JSON is its canonical JSON
  const contentHash = keyedHash(ctx.personIdSecret, JSON.stringify(claim));
  // Two claims of one person screened at once would not see each other in their history: in this
  // process the lock orders them; across processes the person's version does (a claim of the
  // person stored elsewhere since this one's history was read sends it back to be screened again).
  const bodyJson = JSON.stringify(storableBody(input));
  // A stay takes its place among the stays accepted here now, before it waits for its person's
  // lock: its census counts the stays of its institution accepted before it, stored or still being
  // screened, and none after it (src/screening/stays-in-flight.ts); the ids of its writes are drawn
  // now. Ended in every case, so a stay of which no write was sent is counted no more.
  const stay = ctx.history.acceptStay?.(claim, MAX_SCREENINGS);
  const outcome = await ctx
    .personLock(personHash, async () => {
      // marked before its history is read, so a claim that sees it in flight (the institution window)
      // can wait for it to be written before filing a finding on it
      const screening = ctx.claims.beginScreening(claim.institutionId, claim.claimNo);
      try {
        return await screenAndStore(screening);
      } finally {
        screening.end();
      }
    })
    .finally(() => stay?.end());
  async function screenAndStore(screening: ReturnType<ScreenContext['claims']['beginScreening']>) {
    for (let attempt = 1; ; attempt++) {
      const { findings, decision, personVersion } = await assessClaim(ctx, claim, [], stay);
      const id = stay ? stay.idFor(attempt) : uuid7();
      // the answer carries the findings on this claim; those filed on an earlier claim at fault are
      // references here (GET /v1/claims/{institutionId}/{claimId})
      const { own, ownFindings, retrospective, references, retroReferences } = splitFindings(claim, findings);
      // a claim at fault that is still being screened beside this one is written first
      if (retrospective.length > 0)
        await screening.after(
          retrospective.map((f) => ({ institutionId: f.inst, claimId: f.cno })),
          WAIT_FOR_EARLIER_MS,
        );
      const answer = buildAnswer({ id, claim, findings: ownFindings, findingIds: own.map((f) => f.id), decision, screenedAt: now });
      const answerJson = JSON.stringify(answer);
      // no stay accepted before it may still take its census snapshot when this one commits
      if (stay) await stay.earlierRead();
      stay?.writing(id);
      const stored = await ctx.claims.insertScreened({
        id,
        claim,
        contentHash,
        clientId: ctx.clientId,
        body: undefined,
        bodyJson,
        answer,
        answerJson,
        findings: own,
        retrospective,
        references,
        retroReferences,
        personVersion,
      });
      if (!('stale' in stored)) return { stored, answer, answerJson };
      if (attempt >= MAX_SCREENINGS) throw personBusy(claim);
    }
  }
  const { stored, answer, answerJson } = outcome;
  if (stored.inserted) return { answer, answerJson, replayed: false };
  if (stored.existing.contentHash === contentHash) return { answer: stored.existing.answer, answerJson: JSON.stringify(stored.existing.answer), replayed: true };
  throw conflict(claim, stored.existing.id);
}

/** Screenings of one claim at most while other nodes keep storing claims of the same person. */
const MAX_SCREENINGS = 5;
/**
 * The longest a claim waits for claims at fault still being screened beside it; one not written by
 * then gets no finding (the insert joins only stored claims), and this claim is stored regardless.
 */
const WAIT_FOR_EARLIER_MS = 10_000;

function personBusy(claim: Claim) {
  return new AppError(
    'unavailable',
    'person_busy',
    `Claim ${claim.claimNo} of institution ${claim.institutionId} was screened ${MAX_SCREENINGS} times while other claims of the same person were being stored; nothing was stored, retry`,
  );
}

function conflict(claim: Claim, existingId: string) {
  return new ConflictError(`Claim ${claim.claimNo} of institution ${claim.institutionId} is already stored with different content; a correction needs a new claim id`, {
    institutionId: claim.institutionId,
    claimId: claim.claimNo,
    storedId: existingId,
  });
}
