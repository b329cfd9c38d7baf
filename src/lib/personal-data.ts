/**
 * Free text people type (reasons, bases, notes, titles) is screened before it is stored: a
 * resident ID number or a mobile phone number typed into it is masked but for its last four
 * characters, as an ID is shown on a receipt. Claims carry the insured's ID only to be hashed, so
 * text is the one way a raw person id could reach storage.
 *
 * - Resident ID numbers (GB 11643): 17 digits and a check character (a digit or X) that is the
 *   ISO 7064 MOD 11-2 check of the 17; eighteen digits that fail the check are left as they are
 *   (an order number is not an ID).
 * - Mainland mobile numbers: 11 digits starting 13 to 19, written whole or as 3-4-4 with spaces
 *   or hyphens, optionally after +86 or 0086 (the prefix is kept: it says nothing of the person).
 *
 * A run of digits longer than either is not cut into one: the digits either side of a match must
 * not be digits.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** Whether an 18-character string is a resident ID number with a valid check character. */
export function isResidentId(s: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11] === s[17]!.toUpperCase();
}

const RESIDENT_ID = /(?<!\d)\d{17}[\dXx](?![\dXx])/g;
const MOBILE = /(?<!\d)((?:\+|00)86[ -]?)?(1[3-9]\d(?:[ -]?\d{4}){2})(?!\d)/g;

/** Every character but the last four that is a digit or X becomes "*"; separators stay. */
function maskAllButLastFour(s: string): string {
  const keepFrom = s.length - 4;
  return [...s].map((ch, i) => (i < keepFrom && /[\dXx]/.test(ch) ? '*' : ch)).join('');
}

/** The text with resident ID numbers and mobile phone numbers masked but for their last four characters. */
export function maskPersonalData(text: string): string {
  return text
    .replace(RESIDENT_ID, (m) => (isResidentId(m) ? maskAllButLastFour(m) : m))
    .replace(MOBILE, (_m, prefix: string | undefined, number: string) => (prefix ?? '') + maskAllButLastFour(number));
}

/** maskPersonalData for an optional value. */
export const maskOptional = <T extends string | null | undefined>(text: T): T => (typeof text === 'string' ? (maskPersonalData(text) as T) : text);
