import { fenFrom } from '../lib/money.js';
import { barChart, emptyChart, esc, lineChart, sparkline, stripChart } from './charts.js';
import { familyName, peerGroupName, words, type Lang } from './i18n.js';
import type { ReportTable } from './report.tables.js';
import type { Report } from './report.types.js';

const yuan = (v: string | null) => (v === null ? null : (fenFrom(v) ?? 0) / 100);
const grouped = (v: string | number) => {
  const [whole, frac] = String(v).split('.');
  const g = (whole ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? g : `${g}.${frac}`;
};
const pctText = (v: number | null, reason: string | null, lang: Lang) => (v === null ? `—${reason ? (lang === 'en' ? ` (${reason})` : `（${reason}）`) : ''}` : `${v > 0 ? '+' : ''}${v.toFixed(1)}%`);

/** Rows on screen and in print before "n more rows in the XLSX…". */
const HTML_ROW_LIMIT = 300;

function cells(t: ReportTable, columns: ReportTable['columns'], rows: ReportTable['rows']): string {
  return rows
    .map(
      (r) =>
        `<tr>${columns
          .map((c, k) => {
            const v = r[c.key] ?? null;
            const text = v === null ? (c.type === 'text' ? '' : '—') : c.type === 'money' || c.type === 'int' ? grouped(v) : String(v);
            return `<td class="${c.type}${k === 0 ? ' key' : ''}">${esc(text)}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
}

/**
 * One table, its note once, and why it is empty when it is. A wide table (parts) is printed as one
 * table per part, each with the key columns, so that it fits an A4 landscape page; on screen the
 * first column stays in view while a table scrolls sideways.
 */
function table(t: ReportTable, lang: Lang, opts: { note?: boolean; limit?: number } = {}): string {
  const w = words(lang);
  const limit = opts.limit ?? HTML_ROW_LIMIT;
  const rows = t.rows.slice(0, limit);
  const note = opts.note !== false && t.note ? `<p class="note" data-note="${esc(t.name)}">${esc(t.note)}</p>` : '';
  if (t.rows.length === 0) return `${note}<p class="empty" data-table-empty="${esc(t.name)}">${esc(t.empty)}</p>`;
  const more = t.rows.length > limit ? `<p class="note">${esc(w.moreRows(t.rows.length - limit))}</p>` : '';
  const parts = t.parts
    ? t.parts.map((title, p) => ({ title, columns: [...t.columns.slice(0, t.keyColumns ?? 1), ...t.columns.filter((c) => c.part === p)] }))
    : [{ title: null as string | null, columns: t.columns }];
  const body = parts
    .map((part, p) => {
      const head = part.columns.map((c, k) => `<th class="${c.type}${k === 0 ? ' key' : ''}">${esc(c.label)}</th>`).join('');
      return `${part.title ? `<h4>${esc(part.title)}</h4>` : ''}<div class="table-wrap"><table data-table="${esc(t.name)}"${t.parts ? ` data-part="${p}"` : ''}><thead><tr>${head}</tr></thead><tbody>${cells(t, part.columns, rows)}</tbody></table></div>`;
    })
    .join('');
  return `${note}${body}${more}`;
}

const CSS = `
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC","WenQuanYi Micro Hei","Liberation Sans",Arial,sans-serif;margin:24px;color:#222;font-size:13px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:2px solid #1f5fa8;padding-bottom:3px;margin-top:28px}h3{font-size:14px;margin:16px 0 6px}h4{font-size:12.5px;margin:10px 0 2px;color:#1f5fa8}
.meta{color:#555}.badge{display:inline-block;background:#d9822b;color:#fff;border-radius:3px;padding:1px 6px;font-size:12px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}.card{border:1px solid #ccd;border-radius:4px;padding:8px 12px;min-width:150px;max-width:260px}
.card b{display:block;font-size:18px}.card span{color:#555;font-size:12px;display:block}
table{border-collapse:separate;border-spacing:0;margin:6px 0;font-size:11.5px}th,td{border-right:1px solid #ccd;border-bottom:1px solid #ccd;padding:3px 6px;vertical-align:top;background:#fff}
tr>:first-child{border-left:1px solid #ccd}thead th{border-top:1px solid #ccd}
th{background:#eef2f8;text-align:left}td.text{min-width:4em;max-width:28em}td.int,td.money,td.number{text-align:right;white-space:nowrap}
.table-wrap{overflow-x:auto;max-width:100%}th.key,td.key{position:sticky;left:0;z-index:1;white-space:nowrap}th.key{background:#eef2f8}
.note{color:#555;font-size:12px}.empty{color:#7a5b00;background:#fff7e6;border:1px dashed #f0c36d;padding:6px 10px;font-size:12px}
.unavailable{background:#fff7e6;border:1px solid #f0c36d;padding:8px 12px;border-radius:4px}
.chart-empty{background:#fff7e6;border:1px dashed #f0c36d;padding:16px;color:#7a5b00}
svg{max-width:100%;height:auto}svg text{font-size:11px;fill:#333}svg .small{font-size:10px}svg .axis{fill:#555}svg .grid{stroke:#e3e6ea}svg .lane{stroke:#ccd}
svg.spark{vertical-align:middle}
.standout{border-left:4px solid #b5443b;padding:4px 12px;margin:12px 0}.standout ul{margin:4px 0}
.flag{color:#b5443b;font-weight:bold}
ol.defs li{margin:2px 0;color:#444}
@page{size:A4 landscape;margin:12mm 10mm 14mm 10mm;@bottom-right{content:counter(page) " / " counter(pages);font-size:9px;color:#555}@bottom-left{content:var(--footer,"");font-size:9px;color:#555}}
@media print{
  body{margin:0;font-size:10.5px}
  h2{break-before:page;break-after:avoid}h2.first{break-before:auto}h3,h4{break-after:avoid}
  .standout,svg,.card,tr{break-inside:avoid}
  .table-wrap{overflow:visible}th.key,td.key{position:static}
  table{font-size:9.5px;max-width:100%}td.text{max-width:22em}
  thead{display:table-header-group}
}
`;

/** The report as one self-contained, printable HTML page: inline CSS and SVG, no script, no external resource. */
export function renderReportHtml(r: Report, tables: ReportTable[]): string {
  const lang: Lang = r.lang ?? 'zh-CN';
  const zh = lang === 'zh-CN';
  const w = words(lang);
  const t = (name: string) => tables.find((x) => x.name === name) as ReportTable;
  const f = r.fund;
  const cw = w.cards;
  const cards = [
    [cw.claims, grouped(f.claims), `${cw.mom} ${pctText(f.momClaimsPct, f.momReason, lang)} · ${cw.yoy} ${pctText(f.yoyClaimsPct, f.yoyReason, lang)}`],
    [cw.patients, grouped(f.patients), cw.inpatient(grouped(f.inpatientClaims))],
    [cw.amount, grouped(f.amount), `${cw.mom} ${pctText(f.momAmountPct, f.momReason, lang)} · ${cw.yoy} ${pctText(f.yoyAmountPct, f.yoyReason, lang)}`],
    [cw.withheld, grouped(f.withheld), cw.payable(grouped(f.payable))],
    [cw.atIssue, grouped(f.findingAmount), cw.hits(grouped(f.findingHits), grouped(f.findingClaims))],
    [cw.institutions, grouped(f.institutions), cw.standout(r.standouts.length)],
  ]
    .map(([label, value, sub]) => `<div class="card"><span>${esc(label)}</span><b>${esc(value)}</b><span>${esc(sub)}</span></div>`)
    .join('');

  const ch = w.charts;
  const trend = r.trend.some((p) => p.amount !== null)
    ? lineChart(
        'trend',
        r.trend.map((p) => p.month),
        [
          { name: ch.all, values: r.trend.map((p) => yuan(p.amount)) },
          { name: ch.hospitals, values: r.trend.map((p) => yuan(p.hospital)) },
          { name: ch.clinics, values: r.trend.map((p) => yuan(p.clinic)) },
          { name: ch.pharmacies, values: r.trend.map((p) => yuan(p.pharmacy)) },
        ],
        w.yuan,
      )
    : emptyChart('trend', ch.noTrend);
  const families =
    r.findingsByFamily.length > 0
      ? barChart(
          'families',
          r.findingsByFamily.map((x) => ({ label: familyName(lang, x.family), value: yuan(x.amount) as number, note: zh ? `${x.hits} 次` : `${x.hits} hits` })),
          w.yuan,
        )
      : emptyChart('families', ch.noFamilies);
  const byGroup = new Map<string, { id: string; score: number; top: boolean }[]>();
  for (const s of r.model.scores) byGroup.set(s.peerGroup, [...(byGroup.get(s.peerGroup) ?? []), { id: s.institutionId, score: s.score, top: s.peerRank === 1 && s.peerSize > 1 }]);
  const scores =
    r.model.available && r.model.scores.length > 0
      ? stripChart(
          'scores',
          [...byGroup.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, points]) => ({ group: peerGroupName(lang, group), points })),
          ch.scoreAxis,
        )
      : emptyChart('scores', r.model.note);

  const h = w.headings;
  const standouts =
    r.standouts.length === 0
      ? `<p class="empty">${esc(w.noStandouts)}</p>`
      : r.standouts
          .map(
            (
              s,
            ) => `<div class="standout" data-standout="${esc(s.institutionId)}"><h3>${esc(s.institutionId)} ${esc(s.name ?? '')} <span class="meta">（${esc(peerGroupName(lang, s.peerGroup))}）</span></h3>
<ul>${s.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>
${s.examples.length ? `<p><b>${esc(h.examples)}</b></p><ul>${s.examples.map((e) => `<li data-illustrates="${esc(e.illustrates)}">${esc(zh ? `结算单 ${e.claimNo}（${w.visitType[e.visitType] ?? e.visitType}，${grouped(e.claimAmount)} 元）${e.ruleId ? `：${e.ruleId}，疑点金额 ${grouped(e.amountAtIssue ?? '0')} 元` : ''}——${e.sentence}` : `claim ${e.claimNo} (${e.visitType}, ${grouped(e.claimAmount)} yuan)${e.ruleId ? `: ${e.ruleId}, ${grouped(e.amountAtIssue ?? '0')} yuan at issue` : ''} — ${e.sentence}`)}</li>`).join('')}</ul>` : ''}
<p><b>${esc(h.recommendation)}${zh ? '：' : ': '}</b>${esc(s.recommendation)}</p></div>`,
          )
          .join('');

  // Target areas: the flagged figures, each with its counts, percentiles and trend.
  const areaOf = new Map(r.targets.areas.map((a) => [a.key, a]));
  const flagged = r.targets.rows.filter((x) => x.flagged);
  const targetHead = zh
    ? ['机构', '指标', '数值', '分子 / 分母', '同组百分位', '全部机构百分位', '说明', `近${r.targets.months.length}个月趋势`]
    : ['institution', 'target area', 'value', 'numerator / denominator', 'peer percentile', 'fund percentile', 'note', `trend, ${r.targets.months.length} months`];
  const pctCell = (p: number | null, n: number) => (p === null ? '—' : zh ? `${p.toFixed(1)}（${n} 家）` : `${p.toFixed(1)} (of ${n})`);
  const targets =
    flagged.length === 0
      ? `<p class="empty" data-table-empty="target_flags">${esc(r.targets.rows.length === 0 ? t('target_areas').empty : zh ? `本月没有机构的指标达到第 ${r.targets.flagPercentile} 百分位。` : `No institution's figure is at or above the ${r.targets.flagPercentile}th percentile this month.`)}</p>`
      : `<div class="table-wrap"><table data-table="target_flags"><thead><tr>${targetHead.map((x, k) => `<th class="${k === 0 ? 'text key' : 'text'}">${esc(x)}</th>`).join('')}</tr></thead><tbody>${flagged
          .slice(0, HTML_ROW_LIMIT)
          .map((x) => {
            const a = areaOf.get(x.area);
            return `<tr data-target="${esc(`${x.institutionId}|${x.area}`)}"><td class="text key">${esc(x.institutionId)}<br>${esc(x.name ?? '')}</td><td class="text">${esc(a?.label ?? x.area)}</td><td class="number flag">${esc(grouped(x.value))} ${esc(a?.unit ?? '')}</td><td class="number">${esc(`${grouped(x.numerator)} / ${grouped(x.denominator)}`)}<br><span class="note">${esc(`${a?.numerator ?? ''} / ${a?.denominator ?? ''}`)}</span></td><td class="number" data-peer-pct="${x.peerPercentile ?? ''}">${esc(pctCell(x.peerPercentile, x.peerSize))}</td><td class="number" data-fund-pct="${x.fundPercentile ?? ''}">${esc(pctCell(x.fundPercentile, x.fundSize))}</td><td class="text">${esc(x.comment ?? '')}</td><td>${sparkline(x.trend ?? [])}</td></tr>`;
          })
          .join('')}</tbody></table></div>${flagged.length > HTML_ROW_LIMIT ? `<p class="note">${esc(w.moreRows(flagged.length - HTML_ROW_LIMIT))}</p>` : ''}`;

  const unavailable = (note: string) => `<p class="unavailable">${esc(note)}</p>`;
  const rc = r.review.recheckCompletion;
  const review = r.review.available
    ? `<p class="note">${esc(r.review.note)}</p>
<h3>${esc(h.recheck)}</h3>${r.review.recheckOpen ? '' : r.review.recheckShortfalls.length ? `<p><b>${esc(zh ? '未达要求：' : 'Shortfalls: ')}</b>${r.review.recheckShortfalls.map(esc).join(zh ? '；' : '; ')}</p>` : `<p>${esc(zh ? '各机构已完成应复审数。' : 'Every institution has concluded the re-checks required.')}</p>`}${table(t('recheck'), lang)}
<h3>${esc(h.recheckCompletion)}</h3>${rc.length ? `<p>${esc(zh ? `${rc.length} 组中 ${rc.filter((g) => g.state === 'overdue').length} 组逾期；到期前完成 ${rc.reduce((s, g) => s + g.concludedByDue, 0)} / ${rc.reduce((s, g) => s + g.sampled, 0)} 件抽样案件。` : `${rc.filter((g) => g.state === 'overdue').length} of ${rc.length} groups overdue; ${rc.reduce((s, g) => s + g.concludedByDue, 0)} of ${rc.reduce((s, g) => s + g.sampled, 0)} sample cases concluded by the due date.`)}</p>` : ''}${table(t('recheck_completion'), lang)}
<h3>${esc(h.backlog)}</h3>${r.review.backlog ? `<p>${esc(zh ? `未办结案件 ${grouped(r.review.backlog.open)} 件` : `${grouped(r.review.backlog.open)} open cases`)}</p>` : ''}${table(t('review_backlog'), lang)}
<h3>${esc(h.precision)}</h3>${table(t('rule_precision'), lang)}
<h3>${esc(h.refusals)}</h3>${table(t('review_refusals'), lang)}
<h3>${esc(h.missed)}</h3>${r.review.missed ? `<p>${esc(zh ? `随机抽样显示：${r.review.missed.sharePct.toFixed(1)}% 的抽样结算存在未被任何规则或模型标记的违规（95% 区间 ${r.review.missed.lowPct.toFixed(1)}%–${r.review.missed.highPct.toFixed(1)}%）。` : `From the random sample: ${r.review.missed.sharePct.toFixed(1)}% of sampled claims had a violation no rule or model flagged (95% interval ${r.review.missed.lowPct.toFixed(1)}%–${r.review.missed.highPct.toFixed(1)}%).`)}</p>` : ''}${table(t('missed_violations'), lang)}`
    : unavailable(r.review.note);

  const s = w.sections;
  return `<!doctype html>
<html lang="${zh ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${esc(r.title)}</title><style>${CSS}:root{--footer:"${esc(r.title).replace(/"/g, '')}"}</style></head>
<body>
<h1>${esc(r.title)}</h1>
<p class="meta">${esc(w.serviceMonth)} ${esc(r.month)} · ${esc(w.cutoff)} ${esc(r.cutoffText)} · ${esc(w.generated)} ${esc(r.generatedAtText)} ${r.provisional ? `<span class="badge">${esc(w.provisional)}</span>` : ''}</p>
<h2 class="first">${esc(s.situation)}</h2>
<div class="cards">${cards}</div>
<ol class="defs">${r.definitions.map((d) => `<li>${esc(d)}</li>`).join('')}</ol>
<h2>${esc(s.data)}</h2>
<h3>${esc(ch.trend)}</h3>${trend}<p class="note">${esc(ch.gapNote)}</p>
<h3>${esc(ch.families)}</h3>${families}
<h3>${esc(ch.scores)}</h3>${scores}
<h3>${esc(h.institutions)}</h3>${table(t('institutions'), lang)}
<h3>${esc(h.institutionFindings)}</h3>${table(t('institution_findings'), lang)}
<h2>${esc(s.targets)}</h2>
<p class="note">${esc(r.targets.note)}</p>
<h3>${esc(h.targetFlags)}</h3>${targets}
<p class="note">${esc(h.targetAll)}</p>
<h2>${esc(s.analysis)}</h2>
${standouts}
${r.model.available ? `<h3>${esc(h.model)}</h3>${table(t('model_scores'), lang)}` : ''}
<h2>${esc(s.review)}</h2>
${review}
<h2>${esc(s.rules)}</h2>
<h3>${esc(h.trial)}</h3>${table(t('trial_rules'), lang)}
<h3>${esc(h.rules)}</h3>${table(t('rules'), lang)}
<h2>${esc(s.quality)}</h2>
<p class="note">${esc(zh ? '定义见第一部分第4条。' : 'Defined in item 4 of section 1.')}</p>${table(t('data_quality'), lang)}
<h3>${esc(h.rejections)}</h3>${table(t('rejection_paths'), lang)}
<h2>${esc(s.late)}</h2>
${table(t('late'), lang)}
</body></html>
`;
}
