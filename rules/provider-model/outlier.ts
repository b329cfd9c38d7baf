import { z } from 'zod';
import type { Fixture, Rule } from '../engine.js';
import { claim } from '../fixtures/build.js';
import type { ProviderScoreRef } from './score-ref.js';
import { range } from '../params.js';
import { cstMonth } from '../dates.js';
import { NONE } from '../facts.js';

interface Params {
  /** route when the institution's percentile rank in its peer group is above this */
  percentile: number;
  /** smallest peer group whose ranking is trusted */
  minPeers: number;
  /** a score older than this many months before the claim's month is not used */
  maxAgeMonths: number;
}

const monthIndex = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;

const stay = (over: { institutionId?: string } = {}) =>
  claim({ admitted: '2026-11-03 09:00', discharged: '2026-11-20 10:00', lines: [{ itemCode: '120100001', category: 'bed', at: '2026-11-03 10:00' }], ...over });
const score = (over: Partial<ProviderScoreRef> = {}): ProviderScoreRef => ({
  institutionId: 'H1',
  month: '2026-10',
  modelId: 3,
  score: 0.71,
  percentile: 100,
  peerGroup: 'hospital/secondary',
  peerSize: 12,
  reasons: [{ zh: '平均住院日 18.2 天, 同级同类机构中位数 7.9 天', en: 'mean length of stay 18.2 days; peer median 7.9 days' }],
  ...over,
});
const fires = (): Fixture<Params>[] => [
  { name: 'inpatient claim of the top-scored institution of its peer group', claim: stay(), history: { providerScore: score() }, expect: { hits: 1, amountFen: 0 } },
  {
    name: 'the targeting score ranks the institution first of its peers',
    claim: stay(),
    history: { providerScore: score({ percentile: 100, targeting: { score: 81_234, probability: 0.93, rank: 1, source: 'unsupervised' } }) },
    expect: { hits: 1, amountFen: 0 },
  },
  { name: 'a lower percentile set by the deployment', claim: stay(), history: { providerScore: score({ percentile: 75 }) }, params: { percentile: 70 }, expect: { hits: 1 } },
];
const passes = (): Fixture<Params>[] => [
  { name: 'no score for the institution', claim: stay() },
  { name: 'at the percentile, not above it', claim: stay(), history: { providerScore: score({ percentile: 90 }) } },
  {
    name: 'a targeting score at the percentile, not above it',
    claim: stay(),
    history: { providerScore: score({ percentile: 90, targeting: { score: 12_000, probability: 0.4, rank: 2, source: 'unsupervised' } }) },
  },
  { name: 'an outpatient claim of a top-scored institution', claim: claim({ lines: [{ itemCode: '110100001', at: '2026-11-03 10:00' }] }), history: { providerScore: score() } },
  { name: 'a peer group too small to rank in', claim: stay(), history: { providerScore: score({ peerSize: 3 }) } },
  { name: 'a score older than the allowed age', claim: stay(), history: { providerScore: score({ month: '2026-06' }) } },
  { name: 'another institution’s score', claim: stay(), history: { providerScore: score({ institutionId: 'H2' }) } },
];

/**
 * Targeted review (重点复审): an inpatient claim of an institution whose latest targeting score
 * (P(fraud) × fund money at stake, models/provider/target-score.ts; the forest score for a model
 * version before it) ranks above the configured percentile of its peer group (same type and level) goes to
 * review, with the score, the rank and the features that made the institution stand out.
 * Withholds nothing: the claim itself may be sound.
 */
export const providerOutlier: Rule<Params> = {
  id: 'MODEL-PROVIDER-OUTLIER',
  version: 1,
  family: 'provider-model',
  severity: 'medium',
  status: 'active',
  description: {
    zh: '机构异常评分在同级同类机构中高于设定百分位, 其住院结算转重点复审',
    en: 'The institution’s provider-model score ranks above the configured percentile of its peer group: its inpatient claims go to targeted review',
  },
  effectiveFrom: '2000-01-01',
  defaults: { percentile: 90, minPeers: 5, maxAgeMonths: 3 },
  paramSchema: z
    .object({
      // below the median is no outlier; 100 (no score is above it) is a deliberate "never"
      percentile: range({ min: 50, max: 100 }),
      minPeers: range({ min: 2, max: 1000, int: true }),
      maxAgeMonths: range({ min: 0, max: 24, int: true }),
    })
    .strict(),
  evaluate({ claim: c, history, params }) {
    const s = history.providerScore;
    if (c.visitType !== 'inpatient' || !s || s.institutionId !== c.institutionId) return NONE;
    if (s.peerSize < params.minPeers || !(s.percentile > params.percentile)) return NONE;
    const claimMonth = cstMonth(c.startedAt);
    if (monthIndex(claimMonth) - monthIndex(s.month) > params.maxAgeMonths) return NONE;
    const reasons = s.reasons.slice(0, 3);
    const pct = Math.round(s.percentile);
    const t = s.targeting;
    const what = t
      ? {
          zh: `目标分 ${Math.round(t.score).toLocaleString('en-US')} 元 (欺诈概率 ${t.probability.toFixed(2)}, 同级第 ${t.rank} 位)`,
          en: `a targeting score of ${Math.round(t.score).toLocaleString('en-US')} yuan (P(fraud) ${t.probability.toFixed(2)}, rank ${t.rank})`,
        }
      : { zh: `异常评分 ${s.score.toFixed(3)}`, en: `scored ${s.score.toFixed(3)}` };
    return [
      {
        message: {
          zh: `机构 ${c.institutionId} ${s.month} ${what.zh} (模型版本 ${s.modelId}), 位于同级同类机构 (${s.peerGroup}, ${s.peerSize} 家) 第 ${pct} 百分位, 高于 ${params.percentile}, 住院结算转重点复审${reasons.length ? `: ${reasons.map((r) => r.zh).join('; ')}` : ''}`,
          en: `Institution ${c.institutionId} ${what.en} for ${s.month} (model version ${s.modelId}), percentile ${pct} of its ${s.peerSize} peers (${s.peerGroup}), above ${params.percentile}: inpatient claim routed to targeted review${reasons.length ? `: ${reasons.map((r) => r.en).join('; ')}` : ''}`,
        },
        violatingLines: [],
        involvedLines: [],
        otherClaims: [],
        amountFen: 0,
      },
    ];
  },
  fixtures: () => ({ fires: fires(), passes: passes() }),
};
