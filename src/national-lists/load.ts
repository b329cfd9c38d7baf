import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { itemRelations, nationalDrugLimits, nationalItemLimits } from '../db/schema.js';
import { NATIONAL_FILES, parsers, type DrugLimit, type ItemLimit, type Relation } from './parse.js';

export interface LoadSummary {
  file: string;
  relations: number;
  items: number;
  drugs: number;
}

const sourceOf = (file: string) => `nhsa-${file.replace(/\.csv$/, '')}`;

/**
 * The list's file inside `dir`, with links resolved: a name that is a link (or a path) leading
 * outside the directory, or anything but a regular file, is refused, so an import directory cannot
 * make the loader read another file of the machine.
 */
export function nationalFilePath(dir: string, file: string): string {
  const root = realpathSync(dir);
  const target = realpathSync(path.join(root, file));
  if (path.dirname(target) !== root) throw new Error(`${file}: resolves to ${target}, outside the import directory ${root}; refused`);
  if (!statSync(target).isFile()) throw new Error(`${file}: not a regular file; refused`);
  return target;
}

/** Reads one published list: the header row is skipped, cells trimmed. */
export function readNationalFile(dir: string, file: keyof typeof parsers) {
  const rows = parse(readFileSync(nationalFilePath(dir, file)), { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  return parsers[file](rows.slice(1)) as { relations?: Relation[]; items?: ItemLimit[]; drugs?: DrugLimit[] };
}

/** Loads every known list found in the directory; reloading replaces a list's earlier rows. */
export async function loadNationalLists(database: Database, dir: string, validFrom: string, onFile?: (s: LoadSummary) => void) {
  const summaries: LoadSummary[] = [];
  for (const file of NATIONAL_FILES) {
    const parsed = readNationalFile(dir, file);
    const source = sourceOf(file);
    const relations = dedupe(parsed.relations ?? [], (r) => `${r.mainCode}|${r.subCode}`);
    const items = mergeBy(parsed.items ?? [], (i) => i.itemCode);
    const drugs = mergeBy(parsed.drugs ?? [], (d) => d.genericName);
    await database.db.transaction(async (tx) => {
      await tx.delete(nationalItemLimits).where(sql`${nationalItemLimits.source} = ${source}`);
      await tx.delete(nationalDrugLimits).where(sql`${nationalDrugLimits.source} = ${source}`);
      await tx.delete(itemRelations).where(sql`${itemRelations.source} = ${source}`);
      for (const chunk of chunks(relations)) {
        await tx.insert(itemRelations).values(chunk.map((r) => ({ kind: 'includes' as const, mainCode: r.mainCode, subCode: r.subCode, window: r.window, validFrom, source, note: r.note })));
      }
      for (const chunk of chunks(items)) {
        await tx.insert(nationalItemLimits).values(chunk.map((i) => ({ source, itemCode: i.itemCode, name: i.name, restrictions: i.restrictions, note: i.note })));
      }
      for (const chunk of chunks(drugs)) {
        await tx.insert(nationalDrugLimits).values(chunk.map((d) => ({ source, genericName: d.genericName, restrictions: d.restrictions, note: d.note })));
      }
    });
    const summary = { file, relations: relations.length, items: items.length, drugs: drugs.length };
    summaries.push(summary);
    onFile?.(summary);
  }
  return summaries;
}

/** A pair listed twice keeps its first window (the published order). */
function dedupe<T>(list: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const t of list) if (!seen.has(key(t))) seen.set(key(t), t);
  return [...seen.values()];
}

/** An item or drug listed twice in one list gets both restrictions. */
function mergeBy<T extends { restrictions: object; note?: string | undefined }>(list: T[], key: (t: T) => string): T[] {
  const merged = new Map<string, T>();
  for (const t of list) {
    const prev = merged.get(key(t));
    merged.set(key(t), prev ? { ...prev, restrictions: { ...prev.restrictions, ...t.restrictions } } : t);
  }
  return [...merged.values()];
}

function* chunks<T>(list: T[], size = 500): Generator<T[]> {
  for (let i = 0; i < list.length; i += size) yield list.slice(i, i + size);
}
