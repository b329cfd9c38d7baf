/** Records valid over [validFrom, validTo]; a lookup picks the one valid on a date. */
export interface Versioned<T> {
  validFrom: string;
  validTo?: string | undefined;
  record: T;
}

// Most codes have no relation: their lookups share this list rather than allocate one each.
const NONE: readonly never[] = Object.freeze([]);

export class VersionedIndex<T> {
  private readonly byKey = new Map<string, Versioned<T>[]>();

  add(key: string, entry: Versioned<T>): void {
    const list = this.byKey.get(key);
    if (list) list.push(entry);
    else this.byKey.set(key, [entry]);
  }

  /** Sorts each key's versions newest first, so the first valid one wins. */
  seal(): this {
    for (const list of this.byKey.values()) list.sort((a, b) => (a.validFrom < b.validFrom ? 1 : -1));
    return this;
  }

  at(key: string, date: string): T | undefined {
    const list = this.byKey.get(key);
    if (!list) return undefined;
    for (const v of list) if (v.validFrom <= date && (v.validTo === undefined || date <= v.validTo)) return v.record;
    return undefined;
  }

  /** every record of the key valid on the date (for one-to-many relations); one shared empty list when none */
  allAt(key: string, date: string): readonly T[] {
    const list = this.byKey.get(key);
    if (!list) return NONE;
    return list.filter((v) => v.validFrom <= date && (v.validTo === undefined || date <= v.validTo)).map((v) => v.record);
  }

  get size(): number {
    return this.byKey.size;
  }
}
