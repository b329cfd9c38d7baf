import { sql, type SQL } from 'drizzle-orm';
import type { Database, Row } from './client.js';

export type Query = <T extends Row = Row>(text: string, params?: unknown[]) => Promise<T[]>;

/** `$1`-style text and its parameters as one drizzle SQL object (parameters stay bound, never inlined). */
function bind(text: string, params: unknown[]): SQL {
  const parts = text.split(/\$(\d+)\b/);
  const chunks: SQL[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) {
      if (parts[i]) chunks.push(sql.raw(parts[i] as string));
    } else {
      const index = Number(parts[i]) - 1;
      if (index < 0 || index >= params.length) throw new RangeError(`no parameter $${index + 1}`);
      chunks.push(sql`${params[index]}`);
    }
  }
  return sql.join(chunks, sql.raw(''));
}

/**
 * Runs every query of one report (or one training window's features) in one read-only REPEATABLE READ transaction: all sections see the
 * same snapshot of the database, so a claim arriving while the report runs is in all of them or in
 * none. The statement timeout is raised for this transaction only (a province's month is large).
 */
export async function inSnapshot<T>(database: Database, timeoutMs: number, fn: (query: Query) => Promise<T>): Promise<T> {
  return database.db.transaction(
    async (tx) => {
      await tx.execute(sql.raw(`set local statement_timeout = ${Math.max(0, Math.floor(timeoutMs))}`));
      const query: Query = async <R extends Row>(text: string, params: unknown[] = []) => {
        const result = (await tx.execute(bind(text, params))) as unknown as R[] | { rows: R[] };
        return Array.isArray(result) ? result : result.rows;
      };
      return fn(query);
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
