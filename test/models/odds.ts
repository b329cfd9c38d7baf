/**
 * Test helper: reads an ODDS benchmark CSV (header f0..fK,label; label 1 = outlier) from the
 * shared data directory next to the repository (never copied into it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ODDS_DIR = path.resolve(REPO_ROOT, '../shared/data/odds');

export type OddsName = 'shuttle' | 'mammography' | 'pima' | 'breastw';

export interface OddsDataset {
  name: string;
  /** Row-major feature values, rows × cols. */
  data: Float64Array;
  rows: number;
  cols: number;
  /** 1 = outlier, 0 = inlier. */
  labels: Uint8Array;
  featureNames: string[];
}

export function parseOddsCsv(text: string, name = 'csv'): OddsDataset {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]?.split(',').map((h) => h.trim());
  if (!header || header.length < 2 || header[header.length - 1] !== 'label') {
    throw new Error(`${name}: header must be f0..fK,label`);
  }
  const cols = header.length - 1;
  const featureNames = header.slice(0, cols);
  featureNames.forEach((h, i) => {
    if (h !== `f${i}`) throw new Error(`${name}: column ${i} is ${h}, expected f${i}`);
  });
  const rows = lines.length - 1;
  const data = new Float64Array(rows * cols);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1]!.split(',');
    if (cells.length !== cols + 1) throw new Error(`${name}: line ${r + 2} has ${cells.length} cells`);
    for (let j = 0; j < cols; j++) {
      const v = Number(cells[j]);
      if (cells[j]!.trim() === '' || !Number.isFinite(v)) {
        throw new Error(`${name}: line ${r + 2}, column ${j} is not a number`);
      }
      data[r * cols + j] = v;
    }
    const label = cells[cols]!.trim();
    if (label !== '0' && label !== '1') throw new Error(`${name}: line ${r + 2} label is ${label}`);
    labels[r] = label === '1' ? 1 : 0;
  }
  return { name, data, rows, cols, labels, featureNames };
}

export function loadOdds(name: OddsName): OddsDataset {
  return parseOddsCsv(readFileSync(path.join(ODDS_DIR, `${name}.csv`), 'utf8'), name);
}

/** Rows as number[][] (for APIs that take arrays of rows). */
export function toRows(ds: OddsDataset): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < ds.rows; r++) out.push(Array.from(ds.data.subarray(r * ds.cols, (r + 1) * ds.cols)));
  return out;
}
