import type { Targeting } from '../../models/provider/target-score.js';
import type { Database } from '../db/client.js';

/**
 * An institution's standing as targeting sees it now: its latest targeting score (P(fraud) ×
 * money billed over the window, models/provider/target-score.ts), its rank in its peer group and
 * the sentence that explains it, read from the latest model version when the page is drawn: never
 * the value frozen when a case opened (that one is shown beside it, labelled as such).
 */
export interface Standing {
  institutionId: string;
  month: string;
  modelId: number;
  targeting: Targeting | null;
  /** the forest score, for a version without a targeting score */
  score: number;
  rank: number;
  peerGroup: string;
  peerSize: number;
}

/** Each institution's latest score (latest month, latest model of it); institutions never scored are absent. */
export async function providerStandings(database: Database, institutionIds: readonly string[]): Promise<Map<string, Standing>> {
  const ids = [...new Set(institutionIds)];
  if (ids.length === 0) return new Map();
  const rows = await database.query<{ institution_id: string; month: string; model_id: string | number; targeting: unknown; score: number; rank: number; peer_group: string; peer_size: number }>(
    `select distinct on (institution_id) institution_id, month, model_id, targeting, score, rank, peer_group, peer_size
       from provider_scores where institution_id in (${ids.map((_, i) => `$${i + 1}`).join(', ')})
      order by institution_id, month desc, model_id desc`,
    ids,
  );
  return new Map(
    rows.map((r) => {
      const t = (typeof r.targeting === 'string' ? JSON.parse(r.targeting) : r.targeting) as Targeting | null;
      return [
        r.institution_id,
        {
          institutionId: r.institution_id,
          month: r.month,
          modelId: Number(r.model_id),
          targeting: t,
          score: Number(r.score),
          rank: Number(r.rank),
          peerGroup: r.peer_group,
          peerSize: Number(r.peer_size),
        },
      ];
    }),
  );
}

const TEXT = {
  zh: {
    title: '机构当前目标分',
    none: '尚无该机构的模型评分。',
    score: '目标分',
    yuan: '元',
    rank: (r: number, n: number, g: string) => `同级同类 (${g}) ${n} 家中第 ${r} 位`,
    as: (month: string, id: number) => `${month} 评分, 模型版本 ${id}`,
    supervised: '概率来自复审结论训练的模型',
    opening: '开案时机构风险分',
    forest: '异常评分',
  },
  en: {
    title: 'Institution’s current targeting score',
    none: 'No model score for this institution yet.',
    score: 'Targeting score',
    yuan: 'yuan',
    rank: (r: number, n: number, g: string) => `rank ${r} of ${n} in its peer group (${g})`,
    as: (month: string, id: number) => `scored for ${month}, model version ${id}`,
    supervised: 'probability from the model learned from review outcomes',
    opening: 'Provider risk when the case opened',
    forest: 'anomaly score',
  },
} as const;

const yuan = (x: number) => Math.round(x).toLocaleString('en-US');

/** The case page's card: the live standing with its explanation, and the value the case opened with. */
export function ProviderStanding(props: { lang: 'zh' | 'en'; standing: Standing | undefined; openingRisk: number | null }) {
  const t = TEXT[props.lang];
  const s = props.standing;
  const g = s?.targeting;
  return (
    <div class="card" id="institution-risk">
      <div>
        <strong>{t.title}</strong>
      </div>
      {!s ? (
        <div class="muted" id="standing-none">
          {t.none}
        </div>
      ) : g ? (
        <>
          <div id="standing-score">
            {t.score}: <strong>{yuan(g.score)}</strong> {t.yuan} · <span id="standing-rank">{t.rank(g.rank, g.peerSize, g.peerGroup)}</span>
          </div>
          <div class="muted" id="standing-as">
            {t.as(s.month, s.modelId)}
            {g.source === 'supervised' ? ` · ${t.supervised}` : ''}
          </div>
          <div id="standing-explanation">{props.lang === 'zh' ? g.zh : g.en}</div>
        </>
      ) : (
        <>
          <div id="standing-score">
            {t.forest}: <strong>{s.score.toFixed(3)}</strong> · <span id="standing-rank">{t.rank(s.rank, s.peerSize, s.peerGroup)}</span>
          </div>
          <div class="muted" id="standing-as">
            {t.as(s.month, s.modelId)}
          </div>
        </>
      )}
      {props.openingRisk === null ? null : (
        <div class="muted" id="standing-opening">
          {t.opening}: {props.openingRisk.toFixed(3)}
        </div>
      )}
    </div>
  );
}

/** The queue's cell: the live targeting score and peer rank, the sentence as its title. */
export function ProviderStandingCell(props: { lang: 'zh' | 'en'; standing: Standing | undefined }) {
  const s = props.standing;
  if (!s) return <td class="num muted">—</td>;
  const g = s.targeting;
  const title = g ? (props.lang === 'zh' ? g.zh : g.en) : '';
  return (
    <td class="num standing" title={title} data-institution={s.institutionId}>
      {g ? `${yuan(g.score)} · ${g.rank}/${g.peerSize}` : `${s.score.toFixed(3)} · ${s.rank}/${s.peerSize}`}
    </td>
  );
}

export const standingHeader = (lang: 'zh' | 'en') => (lang === 'zh' ? '机构目标分 · 同级排名' : 'Targeting score · peer rank');

/** The monthly report's model row from a stored score: the targeting score, its rank and sentence where the version has one. */
export function reportStanding(r: { score: number; rank: number; peer_size: number; targeting?: unknown }, reasons: string[], lang: 'zh' | 'en' = 'zh') {
  const t = (typeof r.targeting === 'string' ? JSON.parse(r.targeting) : r.targeting) as Targeting | null | undefined;
  if (!t) return { score: Math.round(Number(r.score) * 10000) / 10000, peerRank: Number(r.rank), peerSize: Number(r.peer_size), reasons: reasons.join('\n') };
  return { score: Math.round(t.score * 100) / 100, peerRank: t.rank, peerSize: t.peerSize, reasons: [lang === 'en' ? t.en : t.zh, ...reasons].join('\n') };
}
