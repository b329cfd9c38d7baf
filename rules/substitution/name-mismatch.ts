import { z } from 'zod';
import type { ClaimLine } from '../claim.js';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import { claim, item, reference } from '../fixtures/build.js';
import { yuan } from '../text.js';
import { nameSimilarity, score } from './name-similarity.js';
import { range } from '../params.js';
import { NONE } from '../facts.js';

export interface NameMismatchParams {
  /** an institution name less similar than this to the catalogue name it is billed as is suspect (0–1) */
  minSimilarity: number;
}

/**
 * 串换 by name: the institution's own name for a line (hospitalItemName) does not match the
 * catalogue item it is billed as. Similarity is the character-bigram Dice coefficient of the
 * normalised names, form-blind, a whole-name containment counting as a match (see
 * name-similarity.ts for why); a similarity below `minSimilarity` is suspect, one equal to it is
 * not. Lines without an institution name, or billed under a code the catalogue does not know, are
 * not judged. One hit per (catalogue item, institution name), over all its lines.
 *
 * A low suspicion, in trial: hospitals' own dictionaries abbreviate freely (血常规 for 血细胞分析,
 * 彩超 for 彩色多普勒超声常规检查), and such pairs share no bigram at all, so until the threshold and
 * the institutions' mapping tables (1317) have been calibrated over a month of real claims, the
 * hits are reported without routing claims to a two-person review queue.
 */
export const nameMismatch: Rule<NameMismatchParams> = {
  id: 'SUB-NAME-MISMATCH',
  version: 1,
  family: 'substitution',
  severity: 'low',
  status: 'trial',
  description: {
    zh: '串换 (名称不符): 机构院内项目名称与其对应的医保目录项目名称相似度低于阈值 (字符二元组 Dice 系数)',
    en: 'Substitution by name: the institution’s own item name is less similar than a threshold to the catalogue item it is billed as (character-bigram Dice coefficient)',
  },
  effectiveFrom: '2000-01-01',
  defaults: { minSimilarity: 0.3 },
  paramSchema: z
    .object({
      // a similarity is from 0 to 1: -5 was accepted once and switched the rule off unseen
      minSimilarity: range({ min: 0, max: 1 }),
    })
    .strict(),
  evaluate({ claim: c, params: p, facts }) {
    type Group = { catalogueName: string; institutionName: string; similarity: number; lines: ClaimLine[] };
    // by (catalogue code, institution name), in the order of their first suspect line: few, so
    // found by comparing the two strings rather than by a key string built per line
    let groups: Group[] | undefined;
    const items = facts.items;
    for (let i = 0; i < c.lines.length; i++) {
      const l = c.lines[i]!;
      if (!l.hospitalItemName) continue;
      const known = groups?.find((g) => g.institutionName === l.hospitalItemName && g.lines[0]!.itemCode === l.itemCode);
      if (known) {
        known.lines.push(l);
        continue;
      }
      const cat = items[i];
      const similarity = cat ? nameSimilarity(l.hospitalItemName, cat.name) : undefined;
      if (!cat || similarity === undefined || similarity >= p.minSimilarity) continue;
      (groups ??= []).push({ catalogueName: cat.name, institutionName: l.hospitalItemName, similarity, lines: [l] });
    }
    if (!groups) return NONE;
    const hits: RuleHit[] = [];
    for (const g of groups) {
      const first = g.lines[0]!;
      const amountFen = g.lines.reduce((s, l) => s + l.amountFen, 0);
      const own = first.hospitalItemCode ? ` (${first.hospitalItemCode})` : '';
      hits.push({
        message: {
          zh: `名称不符: 院内项目「${g.institutionName}」${own} 按医保目录 ${first.itemCode}「${g.catalogueName}」收费, 名称相似度 ${score(g.similarity)} 低于 ${score(p.minSimilarity)}; ${g.lines.length} 行 ${yuan(amountFen)} 元`,
          en: `Name mismatch: the institution’s item “${g.institutionName}”${own} billed as catalogue item ${first.itemCode} “${g.catalogueName}”; name similarity ${score(g.similarity)}, below ${score(p.minSimilarity)}; ${g.lines.length} ${g.lines.length === 1 ? 'line' : 'lines'}, ${yuan(amountFen)} yuan`,
        },
        violatingLines: g.lines.map((l) => l.lineId),
        involvedLines: [],
        otherClaims: [],
        amountFen,
      });
    }
    return hits;
  },
  fixtures,
};

function fixtures(): RuleFixtures<NameMismatchParams> {
  const ref = reference({
    items: [
      item({ itemCode: 'XJ01CAA040E001010100', name: '阿莫西林胶囊', category: 'drug' }),
      item({ itemCode: 'XB05BBS034B002010100', name: '参麦注射液', category: 'drug' }),
      item({ itemCode: '001204000010000', name: '静脉穿刺术', category: 'service' }),
      item({ itemCode: '001109000010100', name: '普通病房床位费(单人间)', category: 'bed' }),
    ],
  });
  const billed = (...lines: { itemCode: string; name: string; at?: string }[]) =>
    claim({ lines: lines.map((l, i) => ({ itemCode: l.itemCode, hospitalItemName: l.name, hospitalItemCode: `Y${i + 1}`, at: l.at ?? '2026-10-04 09:00', amountFen: 2500 })) });
  return {
    fires: [
      {
        name: 'cefixime capsules billed as amoxicillin capsules (similarity 0: only the form is shared)',
        claim: billed({ itemCode: 'XJ01CAA040E001010100', name: '头孢克肟胶囊' }),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 2500 },
      },
      {
        name: 'danshen injection billed as shenmai injection, twice: one hit for both lines',
        claim: billed({ itemCode: 'XB05BBS034B002010100', name: '丹参注射液' }, { itemCode: 'XB05BBS034B002010100', name: '丹参注射液', at: '2026-10-05 09:00' }),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1', 'L2'], amountFen: 5000 },
      },
      {
        name: 'similarity 0.25 just below a threshold of 0.26 (静脉输液泵 against 静脉穿刺术)',
        claim: billed({ itemCode: '001204000010000', name: '静脉输液泵' }),
        reference: ref,
        params: { minSimilarity: 0.26 },
        expect: { hits: 1 },
      },
    ],
    passes: [
      { name: 'the catalogue name with a brand and a specification added', claim: billed({ itemCode: 'XJ01CAA040E001010100', name: '阿莫西林胶囊(阿莫仙) 0.25g*24粒' }), reference: ref },
      { name: 'full-width brackets and a shortened qualifier', claim: billed({ itemCode: '001109000010100', name: '单人间床位费（普通病房）' }), reference: ref },
      { name: 'similarity 0.25 exactly at a threshold of 0.25', claim: billed({ itemCode: '001204000010000', name: '静脉输液泵' }), reference: ref, params: { minSimilarity: 0.25 } },
      { name: 'no institution name on the line', claim: claim({ lines: [{ itemCode: 'XJ01CAA040E001010100', at: '2026-10-04 09:00' }] }), reference: ref },
      { name: 'a code the catalogue does not know', claim: billed({ itemCode: 'UNKNOWN', name: '头孢克肟胶囊' }), reference: ref },
    ],
  };
}
