import { randomUUID } from 'node:crypto';
import type { Claim } from '../../rules/claim.js';
import { decide } from '../../rules/decide.js';
import { evaluateRules, type AnyRule } from '../../rules/engine.js';
import type { RuleStatus } from '../../rules/finding.js';
import { ConflictError, ValidationError } from '../http/errors.js';
import { canonicalJson, keyedHash } from '../lib/hash.js';
import type { KeyedMutex } from '../lib/keyed-mutex.js';
import { cstDate } from '../lib/time.js';
import { splitFindings } from '../screening/findings.js';
import type { HistoryRepository } from '../screening/history.repository.js';
import type { ReferenceCache } from '../screening/reference-cache.js';
import { buildAnswer, type ClaimAnswer } from './answer.js';
import type { ClaimInput } from './claim.schema.js';
import type { ClaimsRepository } from './claims.repository.js';
import { dateRangeIssues } from './date-range.js';
import { normalizeClaim, storableBody } from './normalize.js';

export interface ScreenContext {
  claims: ClaimsRepository;
  rules: readonly AnyRule[];
  ruleOverrides: (ruleId: string) => { params?: object; status?: RuleStatus } | undefined;
  history: HistoryRepository;
  reference: ReferenceCache;
  /** serialises the screening of one person's claims in this process */
  personLock: KeyedMutex;
  personIdSecret: string;
  now: () => number;
  clientId: string | null;
  onRuleError?: (ruleId: string, message: string) => void;
}

export interface ScreenResult {
  answer: ClaimAnswer;
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

  const contentHash = keyedHash(ctx.personIdSecret, canonicalJson(claim));
  // Two claims of one person screened at once would not see each other in their history.
  const outcome = await ctx.personLock(personHash, async () => {
    const { history, stock } = await ctx.history.forClaim(claim);
    const { findings, errors } = evaluateRules(ctx.rules, {
      claim,
      history,
      reference: ctx.reference.view(stock),
      overrides: ctx.ruleOverrides,
      serviceDate: cstDate(claim.startedAt),
    });
    for (const e of errors) ctx.onRuleError?.(e.ruleId, e.message);
    const id = randomUUID();
    const { own, retrospective } = splitFindings(claim, findings);
    const decision = decide(claim, findings);
    const answer = buildAnswer({ id, claim, findings, findingIds: own.map((f) => f.id), decision, screenedAt: now });
    const stored = await ctx.claims.insertScreened({
      id, claim, contentHash, clientId: ctx.clientId, body: storableBody(input), answer, findings: own, retrospective,
    });
    return { stored, answer };
  });
  const { stored, answer } = outcome;
  if (stored.inserted) return { answer, replayed: false };
  if (stored.existing.contentHash === contentHash) return { answer: stored.existing.answer, replayed: true };
  throw conflict(claim, stored.existing.id);
}

function conflict(claim: Claim, existingId: string) {
  return new ConflictError(
    `Claim ${claim.claimNo} of institution ${claim.institutionId} is already stored with different content; a correction needs a new claim id`,
    { institutionId: claim.institutionId, claimId: claim.claimNo, storedId: existingId },
  );
}
