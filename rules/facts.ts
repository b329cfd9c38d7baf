import type { Claim } from './claim.js';
import type { CatalogueItemRef, InstitutionRef, ReferenceView } from './reference.js';

/**
 * What many rules read of one claim, worked out once per claim instead of once per rule: the
 * catalogue item of each line (the national lists merged in), the claim's institution on a date,
 * and the person's other claims. Each is computed the first time a rule asks for it (a claim no
 * rule asks about costs nothing) from the claim, its history and its reference view alone, so a
 * rule reading it stays a pure function of its input.
 */
export class ClaimFacts {
  private lineItems: readonly (CatalogueItemRef | undefined)[] | undefined;
  private otherClaims: readonly Claim[] | undefined;
  private instDate: string | undefined;
  private inst: InstitutionRef | undefined;

  constructor(
    readonly claim: Claim,
    /** the history's person claims */
    private readonly personClaims: readonly Claim[],
    readonly reference: ReferenceView,
  ) {}

  /** the catalogue item of each line on its service date, in the order of `claim.lines` */
  get items(): readonly (CatalogueItemRef | undefined)[] {
    if (this.lineItems === undefined) {
      const lines = this.claim.lines;
      const items = new Array<CatalogueItemRef | undefined>(lines.length);
      for (let i = 0; i < lines.length; i++) items[i] = this.reference.item(lines[i]!.itemCode, lines[i]!.serviceDate);
      this.lineItems = items;
    }
    return this.lineItems;
  }

  /** the claim's institution on a date (a claim's lines are mostly of one date: the last one is kept) */
  institution(date: string): InstitutionRef | undefined {
    if (date !== this.instDate) {
      this.inst = this.reference.institution(this.claim.institutionId, date);
      this.instDate = date;
    }
    return this.inst;
  }

  /** the person's other claims in the history (never the claim itself, should history repeat it) */
  get others(): readonly Claim[] {
    if (this.otherClaims === undefined) {
      const c = this.claim;
      const all = this.personClaims;
      this.otherClaims = all.length === 0 ? all : all.filter((o) => !(o.institutionId === c.institutionId && o.claimNo === c.claimNo));
    }
    return this.otherClaims;
  }
}
