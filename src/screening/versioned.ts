/** Records valid over [validFrom, validTo]; a lookup picks the one valid on a date. */
export interface Versioned<T> {
  validFrom: string;
  validTo?: string | undefined;
  record: T;
}

// Most codes have no relation: their lookups share this list rather than allocate one each.
const NONE: readonly never[] = Object.freeze([]);

/**
 * A key's versions, newest first; and, when none of them ends (no validTo: relations and most
 * records), every record once in that order, which is the answer of `allAt` on any date from the
 * latest start on: the lookup then returns that one list instead of filtering a new one.
 */
interface Entry<T> {
  list: Versioned<T>[];
  open?: { from: string; records: readonly T[] } | undefined;
}

export class VersionedIndex<T> {
  private readonly byKey = new Map<string, Entry<T>>();

  add(key: string, given: Versioned<T>): void {
    // kept in one shape whatever the caller built (a spread, optional fields left out): every
    // lookup reads these fields, and entries of several shapes made each read a megamorphic one
    const entry: Versioned<T> = { validFrom: given.validFrom, validTo: given.validTo, record: given.record };
    const e = this.byKey.get(key);
    if (e) {
      e.list.push(entry);
      e.open = undefined;
    } else this.byKey.set(key, { list: [entry] });
  }

  /** Sorts each key's versions newest first, so the first valid one wins. */
  seal(): this {
    for (const e of this.byKey.values()) {
      e.list.sort((a, b) => (a.validFrom < b.validFrom ? 1 : -1));
      e.open = e.list.every((v) => v.validTo === undefined)
        ? { from: e.list.reduce((m, v) => (v.validFrom > m ? v.validFrom : m), ''), records: Object.freeze(e.list.map((v) => v.record)) }
        : undefined;
    }
    return this;
  }

  at(key: string, date: string): T | undefined {
    const e = this.byKey.get(key);
    if (!e) return undefined;
    for (const v of e.list) if (v.validFrom <= date && (v.validTo === undefined || date <= v.validTo)) return v.record;
    return undefined;
  }

  /** every record of the key valid on the date (for one-to-many relations); one shared empty list when none; never to be changed */
  allAt(key: string, date: string): readonly T[] {
    const e = this.byKey.get(key);
    if (!e) return NONE;
    if (e.open && date >= e.open.from) return e.open.records;
    return e.list.filter((v) => v.validFrom <= date && (v.validTo === undefined || date <= v.validTo)).map((v) => v.record);
  }

  /**
   * The same keys and versions, in the same order and with the same validity, each record mapped
   * (a sealed index gives a sealed one): lookups on any date answer the mapped record of the one
   * this index answers.
   */
  map<U>(fn: (record: T, key: string) => U): VersionedIndex<U> {
    const out = new VersionedIndex<U>();
    for (const [key, e] of this.byKey) {
      const list = e.list.map((v) => ({ validFrom: v.validFrom, validTo: v.validTo, record: fn(v.record, key) }));
      out.byKey.set(key, { list, open: e.open ? { from: e.open.from, records: Object.freeze(list.map((v) => v.record)) } : undefined });
    }
    return out;
  }

  get size(): number {
    return this.byKey.size;
  }
}
