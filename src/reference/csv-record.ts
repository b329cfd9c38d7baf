import type { z } from 'zod';
import { REFERENCE_KINDS, type ReferenceKind } from './reference.schema.js';

/**
 * CSV columns of a kind, derived from its zod schema so the file format cannot drift from the API:
 * nested fields are flattened with dots (priceCeiling.primary), arrays are one cell with values
 * separated by "|", numbers are parsed, and an empty cell means the field is absent.
 */
export type ColumnType = 'text' | 'number' | 'list' | 'boolean';
export interface Column {
  name: string;
  type: ColumnType;
  /** required in every row (no optional or default on the way down) */
  required: boolean;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

function columnsOf(schema: z.ZodType, prefix: string, required: boolean, out: Column[]): Column[] {
  let def = defOf(schema);
  while ((def.type === 'optional' || def.type === 'default') && def.innerType) {
    required = false;
    def = defOf(def.innerType);
  }
  if (def.type === 'object' && def.shape) {
    for (const [key, field] of Object.entries(def.shape)) columnsOf(field, prefix ? `${prefix}.${key}` : key, required, out);
  } else {
    out.push({ name: prefix, type: def.type === 'number' ? 'number' : def.type === 'array' ? 'list' : def.type === 'boolean' ? 'boolean' : 'text', required });
  }
  return out;
}

export const csvColumns = (kind: ReferenceKind): Column[] => columnsOf(REFERENCE_KINDS[kind] as z.ZodType, '', true, []);

/** The header problems that would make every row fail, so the file is refused before any row. */
export function headerProblems(kind: ReferenceKind, header: readonly string[]): string[] {
  const columns = new Map(csvColumns(kind).map((c) => [c.name, c]));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const name of header) {
    if (!columns.has(name)) problems.push(`unknown column "${name}"`);
    if (seen.has(name)) problems.push(`column "${name}" appears twice`);
    seen.add(name);
  }
  for (const c of columns.values()) if (c.required && !seen.has(c.name)) problems.push(`missing required column "${c.name}"`);
  return problems;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

function cellValue(text: string, type: ColumnType): unknown {
  if (type === 'list')
    return text
      .split('|')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  // true/false (also 1/0, 是/否); anything else stays text, so the schema names the field
  if (type === 'boolean') {
    const t = text.trim().toLowerCase();
    return t === 'true' || t === '1' || t === '是' ? true : t === 'false' || t === '0' || t === '否' ? false : text;
  }
  // A cell that is not a number stays text, so the schema names the field and what it expected.
  if (type === 'number') return NUMBER.test(text.trim()) ? Number(text.trim()) : text;
  return text;
}

/** A converter from a data row to the nested object the kind's schema parses; assumes headerProblems passed. */
export function rowReader(kind: ReferenceKind, header: readonly string[]) {
  const types = new Map(csvColumns(kind).map((c) => [c.name, c.type]));
  const fields = header.map((name) => ({ path: name.split('.'), type: types.get(name) ?? 'text' }));
  return (cells: readonly string[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    fields.forEach(({ path, type }, i) => {
      const text = cells[i] ?? '';
      if (text === '') return;
      let target = out;
      for (const part of path.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
      target[path[path.length - 1] as string] = cellValue(text, type);
    });
    return out;
  };
}
