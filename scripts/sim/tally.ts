import type { SimulatedClaim } from '../../sim/simulation.js';
import type { AnswerLine } from './stream-claims.js';

/**
 * What came back, against what was injected: answers by status and decision, and per family of
 * injected violation how many of those claims drew a finding of that family. A violation between
 * two claims (an overlap, a visit during a stay) may be found on the other claim, so the
 * per-family count is a floor, and findings on claims with no injected truth are an upper bound
 * of false alarms, not a measure of them.
 */
export class Tally {
  readonly started = performance.now();
  answered = 0;
  readonly byStatus = new Map<number, number>();
  readonly byDecision = new Map<string, number>();
  replayed = 0;
  readonly injected = new Map<string, { claims: number; found: number }>();
  cleanClaims = 0;
  cleanWithFindings = 0;
  readonly errors: string[] = [];

  add(answer: AnswerLine, sent: SimulatedClaim) {
    this.answered++;
    bump(this.byStatus, answer.status);
    if (answer.answer) bump(this.byDecision, answer.answer.decision);
    if (answer.replayed) this.replayed++;
    if (answer.error && this.errors.length < 5) this.errors.push(`${sent.claim.claimId}: ${answer.status} ${answer.error.message}`);
    const found = new Set(answer.answer?.findings.map((f) => f.family) ?? []);
    if (sent.truth.length === 0) {
      this.cleanClaims++;
      if (found.size > 0) this.cleanWithFindings++;
    }
    for (const family of new Set(sent.truth.map((t) => `${t.family}`))) {
      const row = this.injected.get(family) ?? { claims: 0, found: 0 };
      row.claims++;
      if (found.has(family)) row.found++;
      this.injected.set(family, row);
    }
  }

  seconds() {
    return (performance.now() - this.started) / 1000;
  }

  report(): string {
    const secs = this.seconds();
    const list = (m: Map<string | number, number>) => [...m].map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ') || 'none';
    const rows = [...this.injected].sort(([a], [b]) => a.localeCompare(b));
    return [
      `claims answered   ${this.answered.toLocaleString('en')} in ${secs.toFixed(1)} s (${Math.round(this.answered / Math.max(secs, 0.001)).toLocaleString('en')} claims/s)`,
      `by status         ${list(this.byStatus)}`,
      `by decision       ${list(this.byDecision)}${this.replayed ? ` (${this.replayed.toLocaleString('en')} replayed)` : ''}`,
      `clean claims      ${this.cleanClaims.toLocaleString('en')}, of which ${this.cleanWithFindings.toLocaleString('en')} drew a finding`,
      'injected family         claims   found on the claim',
      ...rows.map(([family, r]) => `  ${family.padEnd(22)}${String(r.claims).padStart(7)}   ${String(r.found).padStart(7)}`),
      ...this.errors.map((e) => `error: ${e}`),
    ].join('\n');
  }
}

function bump<K>(m: Map<K, number>, k: K) {
  m.set(k, (m.get(k) ?? 0) + 1);
}
