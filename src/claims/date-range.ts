import type { Claim } from '../../rules/claim.js';
import type { FieldIssue } from '../errors.js';
import { parseDate } from '../lib/time.js';

// 2000-01-01 00:00 in China Standard Time, where service dates are kept (UTC midnight is 08:00 there)
const EARLIEST = Date.UTC(2000, 0, 1) - 8 * 60 * 60 * 1000;
const DAY = 86_400_000;

/**
 * Dates the schema cannot judge without a clock: nothing before 2000, nothing more than a day in
 * the future, a birth date before the visit and within 130 years of it.
 */
export function dateRangeIssues(claim: Claim, now: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const latest = now + DAY;
  const check = (path: string, at: number | undefined) => {
    if (at === undefined) return;
    if (at < EARLIEST) issues.push({ path, message: 'must not be before 2000-01-01' });
    else if (at > latest) issues.push({ path, message: 'must not be in the future' });
  };
  check('admittedAt', claim.admittedAt);
  check('dischargedAt', claim.dischargedAt);
  check('visitAt', claim.visitAt);
  check('settledAt', claim.settledAt);
  claim.lines.forEach((l, i) => check(`lines[${i}].serviceAt`, l.serviceAt));

  const birth = (parseDate(claim.birthDate) ?? 0) * DAY;
  if (birth > claim.startedAt) issues.push({ path: 'insured.birthDate', message: 'must not be after the visit' });
  else if (claim.startedAt - birth > 130 * 365.25 * DAY) issues.push({ path: 'insured.birthDate', message: 'must be within 130 years of the visit' });
  return issues;
}
