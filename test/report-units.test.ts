import { describe, expect, it } from 'vitest';
import { monthLiteral, reportPeriod, shiftMonth } from '../src/report/period.js';
import { negotiate } from '../src/report/report.routes.js';
import { wilson } from '../src/report/report.sections.js';
import { tableCsv } from '../src/report/render-csv.js';

describe('report helpers', () => {
  it('Wilson 95% intervals match published values', () => {
    // Newcombe (1998), table I: 5/100 → 0.0215–0.1118; 0/10 → 0–0.2775; 81/263 → 0.2553–0.3662
    expect(wilson(5, 100)).toEqual({ share: 5, low: 2.2, high: 11.2 });
    expect(wilson(0, 10)).toEqual({ share: 0, low: 0, high: 27.8 });
    expect(wilson(81, 263)).toEqual({ share: 30.8, low: 25.5, high: 36.6 });
    expect(wilson(0, 0)).toEqual({ share: 0, low: 0, high: 0 });
  });

  it('bounds a month in China Standard Time, with the default cut-off 15 days after it', () => {
    const p = reportPeriod('2026-01');
    expect(new Date(p.start).toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(new Date(p.end).toISOString()).toBe('2026-01-31T16:00:00.000Z');
    expect(new Date(p.cutoff).toISOString()).toBe('2026-02-15T16:00:00.000Z');
    expect(p.months).toHaveLength(13);
    expect(p.months[0]).toBe('2025-01');
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2025-12', 1)).toBe('2026-01');
    expect(() => reportPeriod('2026-13')).toThrow(RangeError);
  });

  it('writes a month into SQL text only when it is a month', () => {
    expect(monthLiteral('2026-10')).toBe("'2026-10'");
    for (const bad of ["2026-10' or 'x'='x", '2026-13', '2026-1', '', '2026-10 ']) expect(() => monthLiteral(bad)).toThrow(RangeError);
  });

  it('negotiates the form: ?format first, then Accept by quality, JSON by default', () => {
    expect(negotiate('xlsx', 'text/html')).toBe('xlsx');
    expect(negotiate(undefined, 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8')).toBe('html');
    expect(negotiate(undefined, 'text/html;q=0.5, text/csv')).toBe('csv');
    expect(negotiate(undefined, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).toBe('xlsx');
    expect(negotiate(undefined, 'text/html;q=0')).toBe('json');
    expect(negotiate(undefined, undefined)).toBe('json');
  });

  it('quotes CSV cells that hold commas, quotes or line breaks', () => {
    const csv = tableCsv({
      name: 't',
      title: 't',
      empty: '',
      columns: [
        { key: 'a', label: 'a', type: 'text' },
        { key: 'b', label: 'b', type: 'int' },
      ],
      rows: [
        { a: 'x, "y"\nz', b: 3 },
        { a: null, b: null },
      ],
    });
    expect(csv).toBe('a,b\r\n"x, ""y""\nz",3\r\n,\r\n');
  });
});

describe('target-area percentiles', () => {
  it('are mid-ranks: ties share the middle of their ranks, so a zero among zeros is not high', async () => {
    const { midRankPercentile } = await import('../src/report/report.targets.js');
    expect([1, 2, 3, 4, 5].map((x) => midRankPercentile(x, [1, 2, 3, 4, 5]))).toEqual([10, 30, 50, 70, 90]);
    expect(midRankPercentile(0, [0, 0, 0, 0, 1])).toBe(40);
    expect(midRankPercentile(1, [0, 0, 0, 0, 1])).toBe(90);
    expect(midRankPercentile(2.5, [2.5, 2.5])).toBe(50);
  });

  it("say in the report's language why a base month carries no change", async () => {
    const { baseReason } = await import('../src/report/report.build.js');
    const { reportPeriod } = await import('../src/report/period.js');
    const cutoff = reportPeriod('2026-10').cutoff;
    expect(baseReason('zh-CN', '2026-09', 3, cutoff, 30)).toBe('2026-09 仅 3 笔结算，少于 30 笔');
    expect(baseReason('en', '2026-09', 0, cutoff, 30)).toBe('no claims in 2026-09');
    expect(baseReason('zh-CN', '2026-09', 30, cutoff, 30)).toBeNull();
    // A base month whose own cut-off (15 days after it) is later than the report's is incomplete.
    expect(baseReason('zh-CN', '2026-10', 500, cutoff - 20 * 86_400_000, 30)).toBe('2026-10 数据尚未截止');
  });
});
