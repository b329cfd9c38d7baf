import { describe, expect, it } from 'vitest';
import { auditWeeks, DrawError, drawInspections, uniform } from '../../src/inspections/draw.js';

const pool = (n: number, weight = 1) => Array.from({ length: n }, (_, i) => ({ institutionId: `H${String(i + 1).padStart(3, '0')}`, weight }));
const people = ['Chen Jie', 'Li Na', 'Wang Fang', 'Zhao Lei', 'Zhou Min'];

describe('auditWeeks', () => {
  it('is the last fourteen days of the quarter', () => {
    expect(auditWeeks('2026-Q4')).toEqual({ from: '2026-12-18', to: '2026-12-31' });
    expect(auditWeeks('2026-Q2')).toEqual({ from: '2026-06-17', to: '2026-06-30' });
    expect(auditWeeks('2024-Q1')).toEqual({ from: '2024-03-18', to: '2024-03-31' });
    expect(auditWeeks('2026-Q3')).toEqual({ from: '2026-09-17', to: '2026-09-30' });
  });
  it('refuses what is not a quarter', () => {
    expect(() => auditWeeks('2026-Q5')).toThrow(DrawError);
  });
});

describe('uniform', () => {
  it('is in (0, 1), fixed by seed and label, and spread evenly', () => {
    expect(uniform('seed-a', 'x')).toBe(uniform('seed-a', 'x'));
    expect(uniform('seed-a', 'x')).not.toBe(uniform('seed-b', 'x'));
    const values = Array.from({ length: 10_000 }, (_, i) => uniform('s', String(i)));
    expect(Math.min(...values)).toBeGreaterThan(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(values.filter((v) => v < 0.1).length).toBeGreaterThan(900);
    expect(values.filter((v) => v < 0.1).length).toBeLessThan(1100);
  });
});

describe('drawInspections', () => {
  const input = { seed: 'a-recorded-seed-0001', institutions: pool(30), count: 6, inspectors: people, conflicts: [] };

  it('gives the same draw for the same seed and pool, whatever the pool’s order', () => {
    const a = drawInspections(input);
    const b = drawInspections({ ...input, institutions: [...input.institutions].reverse(), inspectors: [...people].reverse() });
    expect(b).toEqual(a);
    expect(a.map((d) => d.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(a.map((d) => d.institutionId)).size).toBe(6);
  });

  it('gives another draw for another seed', () => {
    const a = drawInspections(input).map((d) => d.institutionId);
    const b = drawInspections({ ...input, seed: 'another-seed-00002' }).map((d) => d.institutionId);
    expect(b).not.toEqual(a);
  });

  it('pairs two different inspectors and spreads the work evenly', () => {
    const drawn = drawInspections({ ...input, count: 10 });
    const load = new Map<string, number>();
    for (const d of drawn) {
      expect(d.inspectors[0]).not.toBe(d.inspectors[1]);
      for (const p of d.inspectors) load.set(p, (load.get(p) ?? 0) + 1);
    }
    // 10 institutions × 2 = 20 assignments over 5 people: 4 each
    expect([...load.values()]).toEqual([4, 4, 4, 4, 4]);
  });

  it('never pairs an inspector with an institution they declared a conflict with', () => {
    const free = drawInspections({ ...input, count: 30 });
    const conflicts = free.flatMap((d) => [{ personId: d.inspectors[0], institutionId: d.institutionId }]);
    const drawn = drawInspections({ ...input, count: 30, conflicts });
    for (const d of drawn) {
      const barred = conflicts.filter((c) => c.institutionId === d.institutionId).map((c) => c.personId);
      expect(barred).toHaveLength(1);
      expect(d.inspectors).not.toContain(barred[0]);
    }
    // the same institutions are drawn: recusal changes who inspects, not what is inspected
    expect(drawn.map((d) => d.institutionId)).toEqual(free.map((d) => d.institutionId));
  });

  it('refuses an institution that fewer than two inspectors may inspect', () => {
    const conflicts = ['Chen Jie', 'Li Na', 'Wang Fang', 'Zhao Lei'].map((personId) => ({ personId, institutionId: 'H007' }));
    expect(() => drawInspections({ ...input, count: 30, conflicts })).toThrow(/H007 has 1 inspector/);
  });

  it('refuses to draw more institutions than the pool holds', () => {
    expect(() => drawInspections({ ...input, count: 31 })).toThrow(DrawError);
  });

  it('draws uniformly without weights and in proportion to weight with them', () => {
    const runs = 2000;
    const uniformHits = new Map<string, number>();
    const weightedHits = new Map<string, number>();
    const weighted = [...pool(10), { institutionId: 'RISKY', weight: 10 }];
    for (let s = 0; s < runs; s++) {
      const [u] = drawInspections({ ...input, seed: `seed-${s}-padding`, institutions: pool(10), count: 1 });
      uniformHits.set(u!.institutionId, (uniformHits.get(u!.institutionId) ?? 0) + 1);
      const [w] = drawInspections({ ...input, seed: `seed-${s}-padding`, institutions: weighted, count: 1 });
      weightedHits.set(w!.institutionId, (weightedHits.get(w!.institutionId) ?? 0) + 1);
    }
    for (const count of uniformHits.values()) expect(Math.abs(count / runs - 0.1)).toBeLessThan(0.025);
    // P(RISKY first) = 10 / (10 + 10 × 1) = 0.5
    expect(Math.abs((weightedHits.get('RISKY') ?? 0) / runs - 0.5)).toBeLessThan(0.04);
  });
});
