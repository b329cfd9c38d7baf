/**
 * The report's charts as inline SVG written here: no script, no external file, so the HTML stays
 * self-contained and prints as drawn. Each chart is an <svg data-chart="…"> whose data marks carry
 * class "mark" and a <title> with the figure, so a reader (and the browser test) can check them.
 */

export const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);

const fmt = (n: number) => (Math.abs(n) >= 1e8 ? `${(n / 1e8).toFixed(2)}亿` : Math.abs(n) >= 1e4 ? `${(n / 1e4).toFixed(1)}万` : n.toFixed(0));
const PALETTE = ['#1f5fa8', '#d9822b', '#3a9a5b', '#b5443b', '#7b5ea7', '#8c6d31'];

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function emptyChart(name: string, message: string): string {
  return `<div class="chart-empty" data-chart="${esc(name)}" data-empty="true">${esc(message)}</div>`;
}

export interface Series {
  name: string;
  /** null: no data that month, drawn as a gap */
  values: (number | null)[];
}

/** Lines over months: the fund's cost trend and its split by institution type. */
export function lineChart(name: string, months: string[], series: Series[], unit: string): string {
  const W = 760,
    H = 300,
    L = 70,
    R = 140,
    T = 20,
    B = 40;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))));
  const x = (i: number) => L + (months.length <= 1 ? 0 : (i * (W - L - R)) / (months.length - 1));
  const y = (v: number) => T + (H - T - B) * (1 - v / max);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<line x1="${L}" x2="${W - R}" y1="${y(max * f)}" y2="${y(max * f)}" class="grid"/><text x="${L - 6}" y="${y(max * f) + 4}" text-anchor="end">${esc(fmt(max * f))}</text>`)
    .join('');
  const labels = months.map((m, i) => `<text x="${x(i)}" y="${H - B + 16}" text-anchor="middle">${esc(m.slice(2))}</text>`).join('');
  const lines = series
    .map((s, k) => {
      const color = PALETTE[k % PALETTE.length];
      // A month without data breaks the line: the next point starts a new segment.
      const d = s.values
        .map((v, i) => (v === null ? '' : `${i === 0 || s.values[i - 1] === null ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`))
        .filter(Boolean)
        .join(' ');
      const dots = s.values
        .map((v, i) =>
          v === null
            ? ''
            : `<circle class="mark" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="${k === 0 ? 3.5 : 2.5}" fill="${color}" data-value="${v}"><title>${esc(`${s.name} ${months[i]}: ${v.toFixed(2)} ${unit}`)}</title></circle>`,
        )
        .join('');
      const legend = `<rect x="${W - R + 12}" y="${T + k * 18}" width="12" height="4" fill="${color}"/><text x="${W - R + 30}" y="${T + k * 18 + 6}">${esc(s.name)}</text>`;
      return `<path d="${d}" fill="none" stroke="${color}" stroke-width="${k === 0 ? 2.5 : 1.5}"/>${dots}${legend}`;
    })
    .join('');
  return `<svg data-chart="${esc(name)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" xmlns="http://www.w3.org/2000/svg"><text x="${L}" y="12" class="axis">${esc(unit)}</text>${grid}${labels}${lines}</svg>`;
}

/** Horizontal bars, one per category, the value printed at the end of each. */
export function barChart(name: string, bars: { label: string; value: number; note: string }[], unit: string): string {
  const W = 760,
    rowH = 26,
    L = 150,
    R = 170,
    T = 10;
  const H = T * 2 + rowH * bars.length;
  const max = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const body = bars
    .map((b, i) => {
      const w = ((W - L - R) * b.value) / max;
      const yy = T + i * rowH;
      return `<text x="${L - 6}" y="${yy + rowH / 2 + 4}" text-anchor="end">${esc(b.label)}</text><rect class="mark" x="${L}" y="${yy + 4}" width="${Math.max(w, 1).toFixed(1)}" height="${rowH - 8}" fill="${PALETTE[0]}" data-value="${b.value}"><title>${esc(`${b.label}: ${b.value.toFixed(2)} ${unit}, ${b.note}`)}</title></rect><text x="${L + Math.max(w, 1) + 6}" y="${yy + rowH / 2 + 4}">${esc(`${fmt(b.value)} ${unit} · ${b.note}`)}</text>`;
    })
    .join('');
  return `<svg data-chart="${esc(name)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
}

/** A strip per peer group: each institution's score as a dot on 0–1, the group median as a tick, the top ones named. */
export function stripChart(name: string, groups: { group: string; points: { id: string; score: number; top: boolean }[] }[], axisLabel = 'score (0–1); tick: peer median'): string {
  const W = 760,
    rowH = 44,
    L = 150,
    R = 40,
    T = 24;
  const H = T + rowH * groups.length + 24;
  const x = (s: number) => L + (W - L - R) * Math.min(1, Math.max(0, s));
  const axis = [0, 0.2, 0.4, 0.6, 0.8, 1]
    .map((v) => `<line x1="${x(v)}" x2="${x(v)}" y1="${T - 6}" y2="${H - 20}" class="grid"/><text x="${x(v)}" y="${H - 6}" text-anchor="middle">${v.toFixed(1)}</text>`)
    .join('');
  const rows = groups
    .map((g, i) => {
      const cy = T + i * rowH + rowH / 2;
      const sorted = g.points.map((p) => p.score).sort((a, b) => a - b);
      const med = sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2 : 0;
      const dots = g.points
        .map((p, k) => {
          const jitter = ((k * 7) % 5) - 2;
          return `<circle class="mark" cx="${x(p.score).toFixed(1)}" cy="${(cy + jitter * 3).toFixed(1)}" r="${p.top ? 5 : 3.5}" fill="${p.top ? PALETTE[3] : PALETTE[0]}" fill-opacity="0.75" data-value="${p.score}"><title>${esc(`${p.id}: ${p.score.toFixed(3)}`)}</title></circle>${p.top ? `<text x="${x(p.score) + 7}" y="${cy - 8}" class="small">${esc(p.id)}</text>` : ''}`;
        })
        .join('');
      return `<text x="${L - 8}" y="${cy + 4}" text-anchor="end">${esc(`${g.group} (${g.points.length})`)}</text><line x1="${L}" x2="${W - R}" y1="${cy}" y2="${cy}" class="lane"/><line x1="${x(med)}" x2="${x(med)}" y1="${cy - 12}" y2="${cy + 12}" stroke="#555" stroke-width="2"><title>${esc(`median ${med.toFixed(3)}`)}</title></line>${dots}`;
    })
    .join('');
  return `<svg data-chart="${esc(name)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" xmlns="http://www.w3.org/2000/svg"><text x="${L}" y="12" class="axis">${esc(axisLabel)}</text>${axis}${rows}</svg>`;
}

/** A small trend line for a table cell: gaps where there is no data, the last point marked. */
export function sparkline(values: (number | null)[], width = 120, height = 24): string {
  const nums = values.filter((v): v is number => v !== null);
  if (nums.length === 0) return '';
  const lo = Math.min(...nums),
    hi = Math.max(...nums);
  const x = (i: number) => (values.length <= 1 ? width / 2 : (i * (width - 4)) / (values.length - 1) + 2);
  const y = (v: number) => (hi === lo ? height / 2 : height - 3 - ((v - lo) / (hi - lo)) * (height - 6));
  const d = values
    .map((v, i) => (v === null ? '' : `${i === 0 || values[i - 1] === null ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`))
    .filter(Boolean)
    .join(' ');
  const last = values.length - 1;
  const end = values[last];
  return `<svg class="spark" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><path d="${d}" fill="none" stroke="#1f5fa8" stroke-width="1.2"/>${end === null || end === undefined ? '' : `<circle cx="${x(last).toFixed(1)}" cy="${y(end).toFixed(1)}" r="2.2" fill="#b5443b"/>`}</svg>`;
}
