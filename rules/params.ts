import { z } from 'zod';
import type { LineCategory, VisitType } from './claim.js';
import type { RelationWindow } from './reference.js';

/**
 * Building blocks for each rule's parameter schema (`Rule.paramSchema`, declared next to its
 * defaults): every number has a range, every list a length and a form for its entries. A
 * deployment's override outside them is refused (PUT /v1/rules/{ruleId}/settings: 422 naming the
 * parameter and the range), so a setting cannot quietly switch a rule off or make it fire on
 * everything (issue 22: minSimilarity -5 was accepted and silenced SUB-NAME-MISMATCH).
 *
 * The checks are zod's own (min, max, gt, lt, int), not refinements, so the ranges show in the
 * JSON Schema GET /v1/rules derives from them.
 */
export interface Range {
  min: number;
  max: number;
  /** the bound itself is not allowed */
  minExclusive?: boolean;
  maxExclusive?: boolean;
  int?: boolean;
}

/** How a range reads in a message: "an integer from 1 to 365", "a number above 0 and at most 1". */
export function rangeText(r: Range): string {
  const what = r.int ? 'an integer' : 'a number';
  if (!r.minExclusive && !r.maxExclusive) return `${what} from ${r.min} to ${r.max}`;
  return `${what} ${r.minExclusive ? 'above' : 'at least'} ${r.min} and ${r.maxExclusive ? 'below' : 'at most'} ${r.max}`;
}

export function range(r: Range) {
  const message = `must be ${rangeText(r)}`;
  let s = z.number({ error: message });
  s = r.minExclusive ? s.gt(r.min, message) : s.min(r.min, message);
  s = r.maxExclusive ? s.lt(r.max, message) : s.max(r.max, message);
  return r.int ? s.int(message) : s;
}

export const flag = () => z.boolean({ error: 'must be true or false' });

/** A list of up to `max` entries, each of the given form. */
export function list<T extends z.ZodType>(entry: T, max: number) {
  return z.array(entry, { error: 'must be a list' }).max(max, `must have at most ${max} entries`);
}

/** ICD-10 codes or their prefixes: "C50", "E34.5", "Z99.2". */
export const icdPrefix = () => z.string().regex(/^[A-Za-z][0-9]{2}(\.[0-9A-Za-z]{1,6})?$/, 'must be an ICD-10 code or prefix such as C50 or E34.5');

/** ICD-10 three-character categories, single ("J44") or a range ("I10-I15"). */
export const icdCategory = () => z.string().regex(/^[A-Za-z][0-9]{2}(-[A-Za-z][0-9]{2})?$/, 'must be an ICD-10 category such as J44, or a range such as I10-I15');

/** Codes of the catalogue or of the national code lists (medical types): letters, digits, ".", "_", "-". */
export const code = (max: number) =>
  z
    .string()
    .regex(/^[0-9A-Za-z._-]+$/, 'must contain only letters, digits, ".", "_" and "-"')
    .max(max, `must be at most ${max} characters`);

const WINDOWS = ['same_hour', 'six_hours', 'same_day', 'same_visit'] as const satisfies readonly RelationWindow[];
export const relationWindow = () => z.enum(WINDOWS, { error: `must be one of ${WINDOWS.join(', ')}` });

const VISIT_TYPES = ['outpatient', 'inpatient', 'pharmacy'] as const satisfies readonly VisitType[];
export const visitType = () => z.enum(VISIT_TYPES, { error: `must be one of ${VISIT_TYPES.join(', ')}` });

const CATEGORIES = ['drug', 'consumable', 'service', 'bed', 'nursing', 'exam', 'lab', 'operation'] as const satisfies readonly LineCategory[];
export const lineCategory = () => z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` });

/** The schema of a rule without parameters. */
export const noParams = () => z.object({}).strict();
