/**
 * Money and quantities are decimals, never binary floats. In code a yuan amount is an integer
 * count of fen (分); unit prices and quantities carry up to 4 decimals and are held as integers
 * scaled by 10^4. JSON answers carry money as decimal strings ("123.45").
 */

const DECIMAL = /^-?\d{1,12}(\.\d{1,4})?$/;

/** Parses a decimal given as a JSON number or string into an integer scaled by 10^scale. */
export function toScaled(value: number | string, scale: number): number | undefined {
  const text = typeof value === 'number' ? numberToPlain(value) : value.trim();
  if (text === undefined || !DECIMAL.test(text)) return undefined;
  const negative = text.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? text.slice(1) : text).split('.');
  if (frac.length > scale) return undefined;
  const scaled = Number(whole) * 10 ** scale + Number(frac.padEnd(scale, '0') || '0');
  if (!Number.isSafeInteger(scaled)) return undefined;
  return negative ? -scaled : scaled;
}

function numberToPlain(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  // Shortest round-trip representation, then reject exponent forms outside our range.
  const s = String(n);
  return /e/i.test(s) ? undefined : s;
}

export const fenFrom = (value: number | string) => toScaled(value, 2);
export const milliFrom = (value: number | string) => toScaled(value, 4);

/** Formats an integer scaled by 10^scale as a plain decimal string. */
export function formatScaled(scaled: number, scale: number): string {
  const negative = scaled < 0;
  const digits = String(Math.abs(scaled)).padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

export const formatFen = (fen: number) => formatScaled(fen, 2);
export const formatMilli = (v: number) => formatScaled(v, 4);

/** price (10^-4) × quantity (10^-4), rounded half-up to fen. Uses BigInt: the product can exceed 2^53. */
export function lineAmountFen(priceScaled: number, quantityScaled: number): number {
  const product = BigInt(priceScaled) * BigInt(quantityScaled); // scale 10^-8
  const divisor = 1_000_000n; // 10^-8 -> 10^-2
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = (abs + divisor / 2n) / divisor;
  return Number(negative ? -rounded : rounded);
}
