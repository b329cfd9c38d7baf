import { existsSync } from 'node:fs';
import path from 'node:path';
import { item, reference } from '../../rules/fixtures/build.js';
import type { Restrictions } from '../../rules/reference.js';
import { readNationalFile } from '../../src/national-lists/load.js';
import type { NationalFile, Relation } from '../../src/national-lists/parse.js';

/** The NHSA lists, read where they are shared (never copied into the repository). */
export const NATIONAL_DIR = path.resolve('../shared/data/nhsa-two-libraries');
export const haveNationalLists = existsSync(NATIONAL_DIR);

/** The code-keyed lists as a reference view: relations of batch 7, item limits of batch 8. */
export function nationalReference(files: NationalFile[]) {
  const relations: Relation[] = [];
  const seen = new Set<string>();
  const limits = new Map<string, { name: string; restrictions: Restrictions }>();
  for (const file of files) {
    const parsed = readNationalFile(NATIONAL_DIR, file);
    // a pair listed twice keeps its first window, as the import does
    for (const r of parsed.relations ?? []) if (!seen.has(`${r.mainCode}|${r.subCode}`)) seen.add(`${r.mainCode}|${r.subCode}`) && relations.push(r);
    for (const i of parsed.items ?? []) {
      const prev = limits.get(i.itemCode);
      limits.set(i.itemCode, { name: i.name, restrictions: { ...prev?.restrictions, ...i.restrictions } });
    }
  }
  const ref = reference({
    items: [...limits].map(([itemCode, l]) => item({ itemCode, name: l.name, restrictions: l.restrictions })),
    relations: relations.map((r) => ({ kind: 'includes' as const, mainCode: r.mainCode, subCode: r.subCode, window: r.window, source: 'nhsa-batch7' })),
  });
  return { ref, relations, limits };
}
