import { randomUUID } from 'node:crypto';
import type { Claim } from '../../rules/claim.js';
import { decide } from '../../rules/decide.js';
import { evaluateRules, type AnyRule } from '../../rules/engine.js';
import { ConflictError, ValidationError } from '../http/errors.js';
import { canonicalJson, keyedHash } from '../lib/hash.js';
import { cstDate } from '../lib/time.js';
import { buildAnswer, type ClaimAnswer } from './answer.js';
import type { ClaimInput } from './claim.schema.js';
import type { ClaimsRepository } from './claims.repository.js';
import { dateRangeIssues } from './date-range.js';
import { normalizeClaim, storableBody } from './normalize.js';

export interface ScreenContext {
  claims: ClaimsRepository;
  rules: readonly AnyRule[];
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
  const id = randomUUID();
  const { findings, errors } = evaluateRules(ctx.rules, { claim, serviceDate: cstDate(claim.startedAt) });
  for (const e of errors) ctx.onRuleError?.(e.ruleId, e.message);
  const answer = buildAnswer({ id, claim, findings, decision: decide(claim, findings), screenedAt: now });

  const outcome = await ctx.claims.insertScreened({
    id,
    claim,
    contentHash,
    clientId: ctx.clientId,
    body: storableBody(input),
    answer,
  });
  if (outcome.inserted) return { answer, replayed: false };
  if (outcome.existing.contentHash === contentHash) return { answer: outcome.existing.answer, replayed: true };
  throw conflict(claim, outcome.existing.id);
}

function conflict(claim: Claim, existingId: string) {
  return new ConflictError(
    `Claim ${claim.claimNo} of institution ${claim.institutionId} is already stored with different content; a correction needs a new claim id`,
    { institutionId: claim.institutionId, claimId: claim.claimNo, storedId: existingId },
  );
}
