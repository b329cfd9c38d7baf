import { fenFrom } from '../lib/money.js';
import { barChart, emptyChart, esc, lineChart, stripChart } from './charts.js';
import type { ReportTable } from './report.tables.js';
import type { Report } from './report.types.js';

const yuan = (v: string) => (fenFrom(v) ?? 0) / 100;
const grouped = (v: string | number) => {
  const [whole, frac] = String(v).split('.');
  const g = (whole ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? g : `${g}.${frac}`;
};
const pctText = (v: number | null) => (v === null ? '—' : `${v > 0 ? '+' : ''}${v.toFixed(1)}%`);

function table(t: ReportTable, limit?: number): string {
  const rows = limit === undefined ? t.rows : t.rows.slice(0, limit);
  const head = t.columns.map((c) => `<th class="${c.type}">${esc(c.label)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${t.columns.map((c) => {
      const v = r[c.key] ?? null;
      const text = v === null ? '' : c.type === 'money' || c.type === 'int' ? grouped(v) : String(v);
      return `<td class="${c.type}">${esc(text)}</td>`;
    }).join('')}</tr>`)
    .join('');
  const more = limit !== undefined && t.rows.length > limit ? `<p class="note">${t.rows.length - limit} more rows in the XLSX, CSV and JSON forms.</p>` : '';
  const empty = t.rows.length === 0 ? `<p class="note" data-table-empty="${esc(t.name)}">${esc(t.note ?? 'No rows this month.')}</p>` : '';
  return `<div class="table-wrap"><table data-table="${esc(t.name)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${empty}${more}</div>`;
}

const CSS = `
body{font-family:"Liberation Sans","Noto Sans CJK SC","Microsoft YaHei",Arial,sans-serif;margin:24px;color:#222;font-size:13px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:2px solid #1f5fa8;padding-bottom:3px;margin-top:28px}h3{font-size:14px;margin:16px 0 6px}
.meta{color:#555}.badge{display:inline-block;background:#d9822b;color:#fff;border-radius:3px;padding:1px 6px;font-size:12px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}.card{border:1px solid #ccd;border-radius:4px;padding:8px 12px;min-width:140px}
.card b{display:block;font-size:18px}.card span{color:#555;font-size:12px}
table{border-collapse:collapse;margin:6px 0;font-size:11.5px}th,td{border:1px solid #ccd;padding:3px 6px;vertical-align:top}
th{background:#eef2f8;text-align:left}td.text{min-width:5em}td.int,td.money,td.number{text-align:right;white-space:nowrap}
.table-wrap{overflow-x:auto}.note{color:#555;font-size:12px}.unavailable{background:#fff7e6;border:1px solid #f0c36d;padding:8px 12px;border-radius:4px}
.chart-empty{background:#fff7e6;border:1px dashed #f0c36d;padding:16px;color:#7a5b00}
svg text{font-size:11px;fill:#333}svg .small{font-size:10px}svg .axis{fill:#555}svg .grid{stroke:#e3e6ea}svg .lane{stroke:#ccd}
.standout{border-left:4px solid #b5443b;padding:4px 12px;margin:12px 0}.standout ul{margin:4px 0}
ol.defs li{margin:2px 0;color:#444}
@media print{body{margin:10mm;font-size:11px}h2{break-after:avoid}.standout,svg,table{break-inside:avoid}.table-wrap{overflow:visible}@page{size:A4 landscape;margin:10mm}}
`;

/** The report as one self-contained, printable HTML page: inline CSS and SVG, no script, no external resource. */
export function renderReportHtml(r: Report, tables: ReportTable[]): string {
  const t = (name: string) => tables.find((x) => x.name === name) as ReportTable;
  const f = r.fund;
  const cards = [
    ['claims / 结算', grouped(f.claims), `MoM ${pctText(f.momClaimsPct)} · YoY ${pctText(f.yoyClaimsPct)}`],
    ['patients / 人数', grouped(f.patients), `${grouped(f.inpatientClaims)} inpatient claims`],
    ['amount / 总费用 (yuan)', grouped(f.amount), `MoM ${pctText(f.momAmountPct)} · YoY ${pctText(f.yoyAmountPct)}`],
    ['withheld / 拒付 (yuan)', grouped(f.withheld), `payable ${grouped(f.payable)}`],
    ['at issue / 疑点金额 (yuan)', grouped(f.findingAmount), `${grouped(f.findingHits)} hits on ${grouped(f.findingClaims)} claims`],
    ['institutions / 机构', grouped(f.institutions), `${r.standouts.length} stand out`],
  ]
    .map(([label, value, sub]) => `<div class="card"><span>${esc(label)}</span><b>${esc(value)}</b><span>${esc(sub)}</span></div>`)
    .join('');

  const trend = r.trend.some((p) => yuan(p.amount) > 0)
    ? lineChart('trend', r.trend.map((p) => p.month), [
        { name: 'all / 合计', values: r.trend.map((p) => yuan(p.amount)) },
        { name: 'hospitals / 医院', values: r.trend.map((p) => yuan(p.hospital)) },
        { name: 'clinics / 基层', values: r.trend.map((p) => yuan(p.clinic)) },
        { name: 'pharmacies / 药店', values: r.trend.map((p) => yuan(p.pharmacy)) },
      ], 'yuan')
    : emptyChart('trend', 'No claims in the last 12 months.');
  const families = r.findingsByFamily.length > 0
    ? barChart('families', r.findingsByFamily.map((x) => ({ label: x.family, value: yuan(x.amount), note: `${x.hits} hits` })), 'yuan')
    : emptyChart('families', 'No findings of active rules this month.');
  const byGroup = new Map<string, { id: string; score: number; top: boolean }[]>();
  for (const s of r.model.scores) byGroup.set(s.peerGroup, [...(byGroup.get(s.peerGroup) ?? []), { id: s.institutionId, score: s.score, top: s.peerRank === 1 && s.peerSize > 1 }]);
  const scores = r.model.available && r.model.scores.length > 0
    ? stripChart('scores', [...byGroup.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, points]) => ({ group, points })))
    : emptyChart('scores', r.model.note);

  const standouts = r.standouts.length === 0
    ? '<p class="note">No institution stands out from its peers by the measures below this month.</p>'
    : r.standouts
        .map((s) => `<div class="standout" data-standout="${esc(s.institutionId)}"><h3>${esc(s.institutionId)} ${esc(s.name ?? '')} <span class="meta">(${esc(s.peerGroup)})</span></h3>
<ul>${s.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>
${s.examples.length ? `<p><b>Examples / 典型案例</b></p><ul>${s.examples.map((e) => `<li>claim ${esc(e.claimNo)} (${esc(e.visitType)}, ${esc(grouped(e.claimAmount))} yuan): ${esc(e.ruleId)}, ${esc(grouped(e.amountAtIssue))} yuan at issue — ${esc(e.sentence)}</li>`).join('')}</ul>` : ''}
<p><b>Recommendation / 建议:</b> ${esc(s.recommendation)}</p></div>`)
        .join('');

  const unavailable = (note: string) => `<p class="unavailable">${esc(note)}</p>`;
  const review = r.review.available
    ? `<p class="note">${esc(r.review.note)}</p>
${r.review.recheckShortfalls.length ? `<p><b>Shortfalls / 未达5%:</b> ${r.review.recheckShortfalls.map(esc).join('; ')}</p>` : '<p>Every institution with inpatient claims met the 5% re-check.</p>'}
<h3>5% random re-check / 随机复审</h3>${table(t('recheck'))}
<h3>Re-check completion / 随机复审完成情况</h3>${r.review.recheckCompletion.length ? `<p>${r.review.recheckCompletion.filter((g) => g.state === 'overdue').length} of ${r.review.recheckCompletion.length} groups overdue; ${r.review.recheckCompletion.reduce((s, g) => s + g.concludedByDue, 0)} of ${r.review.recheckCompletion.reduce((s, g) => s + g.sampled, 0)} sample cases concluded by the due date.</p>` : '<p>The month’s sample is not closed yet (npm run sample:close).</p>'}${table(t('recheck_completion'))}
<h3>Backlog and ageing / 积压与账龄</h3><p>${r.review.backlog ? `${grouped(r.review.backlog.open)} open cases` : ''}</p>${table(t('review_backlog'))}
<h3>Per-rule precision / 规则准确率</h3>${table(t('rule_precision'))}
<h3>Refusals by reason / 复审扣款原因</h3>${table(t('review_refusals'))}
<h3>Missed violations / 漏检估计</h3>${r.review.missed ? `<p>From the random sample: ${r.review.missed.sharePct.toFixed(1)}% of sampled claims had a violation no rule or model flagged (95% interval ${r.review.missed.lowPct.toFixed(1)}%–${r.review.missed.highPct.toFixed(1)}%).</p>` : ''}${table(t('missed_violations'))}`
    : unavailable(r.review.note);

  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(r.title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(r.title)}</h1>
<p class="meta">Service month ${esc(r.month)} · cut-off ${esc(r.cutoff)} · generated ${esc(r.generatedAt)} ${r.provisional ? '<span class="badge">provisional / 初步</span>' : ''}</p>
<h2>1. Situation / 基本情况</h2>
<div class="cards">${cards}</div>
<ol class="defs">${r.definitions.map((d) => `<li>${esc(d)}</li>`).join('')}</ol>
<h2>2. Data / 数据</h2>
<h3>Cost trend, last 12 months / 近12个月费用趋势</h3>${trend}
<h3>Findings by family / 违规类型分布</h3>${families}
<h3>Provider scores within each peer group / 同级同类机构风险评分</h3>${scores}
<h3>Institutions / 机构明细</h3>${table(t('institutions'))}
<h3>Findings by institution and family / 机构违规类型</h3>${table(t('institution_findings'))}
<h2>3. Analysis, examples and recommendations / 分析、典型案例与建议</h2>
${standouts}
${r.model.available ? `<h3>Provider model / 风险模型</h3><p class="note">${esc(r.model.note)}</p>${table(t('model_scores'))}` : unavailable(r.model.note)}
<h2>4. Review / 复审</h2>
${review}
<h2>5. Rules / 规则</h2>
<h3>Rules in trial: what they would have withheld / 试运行规则</h3>${table(t('trial_rules'))}
<h3>Hits per rule / 规则命中</h3>${table(t('rules'))}
<h2>6. Data quality / 数据质量</h2>
<p class="note">${esc(r.definitions[3] ?? '')}</p>
${table(t('data_quality'))}
<h3>Most frequent reasons for rejection / 常见格式错误</h3>${table(t('rejection_paths'))}
<h2>7. Arrived after the cut-off / 截止后到达</h2>
<p class="note">${esc(r.late.note)}</p>${table(t('late'))}
</body></html>
`;
}
