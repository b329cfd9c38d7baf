import type { ClaimLine } from './claim.js';
import type { ReferenceView } from './reference.js';

/** Pieces of the sentences findings carry: names, amounts and times a reviewer can check. */
export const yuan = (fen: number) => (fen / 100).toFixed(2);

/** A quantity or unit price scaled by 10^4, without trailing zeros. */
export const decimal4 = (v: number) => String(Number((v / 10_000).toFixed(4)));

const CST = 8 * 3_600_000;
export const cstTime = (ms: number) => new Date(ms + CST).toISOString().slice(0, 16).replace('T', ' ');

/** The name a reviewer recognises: the institution's own, else the catalogue's, else the code. */
export function itemName(line: ClaimLine, reference: ReferenceView): string {
  return line.hospitalItemName ?? reference.item(line.itemCode, line.serviceDate)?.name ?? line.itemCode;
}
