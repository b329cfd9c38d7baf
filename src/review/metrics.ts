import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../db/client.js';
import { reviewOutcomes } from './outcomes.js';

/** Review outcomes in /metrics: one database read per scrape, shared by the gauges. */
export function registerReviewMetrics(registry: Registry, database: Database) {
  let cached: { at: number; value: Promise<Awaited<ReturnType<typeof reviewOutcomes>>> } | undefined;
  const outcomes = () => {
    if (!cached || Date.now() - cached.at > 1000) cached = { at: Date.now(), value: reviewOutcomes(database) };
    return cached.value;
  };
  new Gauge({
    name: 'review_cases',
    help: 'Review cases by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [status, n] of Object.entries((await outcomes()).cases)) this.set({ status }, n);
    },
  });
  const byRule = (name: string, help: string, pick: (r: { concluded: number; confirmed: number; precision: number | null }) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['rule'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of (await outcomes()).rules) {
          const v = pick(r);
          if (v !== null) this.set({ rule: r.ruleId }, v);
        }
      },
    });
  byRule('review_rule_concluded', 'Final review outcomes of cases with a finding of the rule', (r) => r.concluded);
  byRule('review_rule_precision', 'Confirmed ÷ concluded, per rule (final outcomes)', (r) => r.precision);
  new Gauge({
    name: 'review_reason_precision',
    help: 'Confirmed ÷ concluded, per reason kind (final outcomes)',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const k of (await outcomes()).reasons) if (k.precision !== null) this.set({ kind: k.kind }, k.precision);
    },
  });
  new Gauge({
    name: 'review_unflagged_violation_share',
    help: 'From the random re-check: share of sampled claims with a confirmed violation that no rule or model flagged (estimate and 95% Wilson bounds)',
    labelNames: ['bound'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const s = (await outcomes()).sample.unflaggedViolationShare;
      if (s) for (const bound of ['estimate', 'low', 'high'] as const) this.set({ bound }, s[bound]);
    },
  });
}
