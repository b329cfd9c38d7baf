import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/client.js';
import { registerReviewMetrics } from '../review/metrics.js';

/** Prometheus metrics; one registry per app so tests can build several apps in one process. */
export function createMetrics(database: Database) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const claimsByDecision = new Counter({
    name: 'claims_screened_total',
    help: 'Claims screened and stored, by decision',
    labelNames: ['decision', 'channel'] as const,
    registers: [registry],
  });
  const claimsRejected = new Counter({
    name: 'claims_rejected_total',
    help: 'Claim submissions refused as invalid',
    labelNames: ['channel'] as const,
    registers: [registry],
  });
  const ruleHits = new Counter({
    name: 'rule_hits_total',
    help: 'Findings by rule and status (trial rules report but never withhold)',
    labelNames: ['rule', 'status'] as const,
    registers: [registry],
  });
  const ruleAmount = new Counter({
    name: 'rule_amount_yuan_total',
    help: 'Amount at issue in findings, by rule and status, in yuan',
    labelNames: ['rule', 'status'] as const,
    registers: [registry],
  });
  const ruleErrors = new Counter({
    name: 'rule_errors_total',
    help: 'Rules that threw while screening a claim (the claim was screened by the others), by service month',
    labelNames: ['rule', 'month'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'db_pool_in_flight',
    help: 'Database queries in flight',
    registers: [registry],
    collect() {
      this.set(database.stats().inFlight);
    },
  });
  new Gauge({
    name: 'db_pool_max',
    help: 'Maximum database connections',
    registers: [registry],
    collect() {
      this.set(database.stats().max);
    },
  });
  registerReviewMetrics(registry, database);
  /** counts one newly stored answer */
  function recordAnswer(answer: { decision: string; findings: readonly { ruleId: string; status: string; amount: string }[] }, channel: string) {
    claimsByDecision.inc({ decision: answer.decision, channel });
    for (const f of answer.findings) {
      ruleHits.inc({ rule: f.ruleId, status: f.status });
      ruleAmount.inc({ rule: f.ruleId, status: f.status }, Number(f.amount));
    }
  }
  const requestsShed = new Counter({
    name: 'http_requests_shed_total',
    help: 'Requests answered 503 at once because MAX_IN_FLIGHT requests were in progress',
    registers: [registry],
  });
  // Requests in progress (those MAX_IN_FLIGHT bounds), and the most at once since the last scrape.
  let inFlight = 0;
  let peak = 0;
  new Gauge({
    name: 'http_requests_in_flight',
    help: 'Requests in progress (bounded by MAX_IN_FLIGHT)',
    registers: [registry],
    collect() {
      this.set(inFlight);
    },
  });
  new Gauge({
    name: 'http_requests_in_flight_max',
    help: 'Most requests in progress at once since the previous scrape',
    registers: [registry],
    collect() {
      this.set(peak);
      peak = inFlight;
    },
  });
  // The other bounds and cut-offs of src/http/admission.ts: requests without a valid credential,
  // bodies of authenticated requests still arriving, and why a request was refused.
  let unauthenticated = 0,
    receiving = 0;
  new Gauge({
    name: 'http_requests_unauthenticated',
    help: 'Requests without a valid credential in progress (bounded by MAX_UNAUTHENTICATED)',
    registers: [registry],
    collect() {
      this.set(unauthenticated);
    },
  });
  new Gauge({
    name: 'http_requests_receiving',
    help: 'Authenticated requests whose body is still arriving (bounded by MAX_RECEIVING)',
    registers: [registry],
    collect() {
      this.set(receiving);
    },
  });
  const refused = new Counter({
    name: 'http_requests_refused_total',
    help: 'Requests refused by admission: unauthenticated or receiving bound full (503), body too slow (408), body too large (413)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const load = {
    shed: () => requestsShed.inc(),
    inFlight(n: number) {
      inFlight = n;
      if (n > peak) peak = n;
    },
    unauthenticated: (n: number) => void (unauthenticated = n),
    receiving: (n: number) => void (receiving = n),
    refused: (reason: 'unauthenticated_full' | 'receiving_full' | 'body_timeout' | 'too_large') => refused.inc({ reason }),
  };
  return { registry, httpDuration, claimsByDecision, claimsRejected, ruleErrors, ruleHits, ruleAmount, recordAnswer, load };
}

export type Metrics = ReturnType<typeof createMetrics>;
