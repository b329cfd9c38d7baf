import type { Logger } from 'pino';
import type { AnyRule } from '../../rules/engine.js';
import type { RuleStatus } from '../../rules/finding.js';
import { formatPath, type FieldIssue } from '../errors.js';
import { maskPersonalData } from '../lib/personal-data.js';
import { createRefreshing } from '../lib/refreshing.js';
import type { RulesRepository } from './rules.repository.js';

export interface RuleOverride {
  params?: Record<string, unknown>;
  status?: RuleStatus;
  /** an admin's end of the rule's trial (yyyy-MM-dd) instead of the rule's own */
  trialUntil?: string;
}

type RuleSettingsInForce = RuleOverride & { version: number; changedAt: string; changedBy: string };

/**
 * A deployment's overrides of rule parameters and status: stored append-only (every change is a
 * new row naming who made it and why), the latest row per rule applies, held in memory.
 */
export function createRuleSettings({ repository, logger, rules, refreshMs = 30_000 }: { repository: RulesRepository; logger: Logger; rules: readonly AnyRule[]; refreshMs?: number }) {
  const byId = new Map(rules.map((r) => [r.id, r]));

  async function load(): Promise<Map<string, RuleSettingsInForce>> {
    const rows = await repository.latestSettings();
    return new Map(
      rows.map((r) => [
        r.rule_id,
        {
          params: inRange(r.rule_id, (typeof r.params === 'string' ? JSON.parse(r.params) : r.params) as Record<string, unknown>),
          status: r.status ?? undefined,
          ...(r.trial_until ? { trialUntil: r.trial_until } : {}),
          version: r.version,
          changedAt: r.changed_at,
          changedBy: r.changed_by,
        },
      ]),
    );
  }
  const settings = createRefreshing({ name: 'rule settings', initial: new Map<string, RuleSettingsInForce>(), load, refreshMs, logger });
  const current = () => settings.current();

  /**
   * The stored overrides the rule takes: one stored before parameters had ranges (minSimilarity
   * -5 was accepted and switched SUB-NAME-MISMATCH off) is set aside with a warning, and the
   * default applies, rather than run the rule with it.
   */
  function inRange(ruleId: string, params: Record<string, unknown>): Record<string, unknown> {
    const rule = byId.get(ruleId);
    if (!rule) return params;
    const problems = [...check(ruleId, params), ...outOfRange(ruleId, params)];
    if (problems.length === 0) return params;
    const dropped = new Set(problems.map((p) => p.path.replace(/^params\.([^.[]+).*$/, '$1')));
    logger.warn({ ruleId, problems }, 'stored rule settings out of range: the defaults apply to these parameters');
    return Object.fromEntries(Object.entries(params).filter(([k]) => !dropped.has(k)));
  }

  /** Unknown parameters, or values of another type than the default's. */
  function check(ruleId: string, params: Record<string, unknown>): FieldIssue[] {
    const rule = byId.get(ruleId);
    if (!rule) return [{ path: 'ruleId', message: `no rule ${ruleId}` }];
    return Object.entries(params).flatMap(([key, value]): FieldIssue[] => {
      if (!(key in rule.defaults)) return [{ path: `params.${key}`, message: `is not a parameter of ${ruleId}` }];
      const expected = kind(rule.defaults[key]);
      return kind(value) === expected ? [] : [{ path: `params.${key}`, message: `must be ${expected}` }];
    });
  }

  /** Values outside the rule's declared range or form (its paramSchema), each with the value sent. */
  function outOfRange(ruleId: string, params: Record<string, unknown>): FieldIssue[] {
    const rule = byId.get(ruleId);
    if (!rule) return [];
    // the defaults pass the schema (test/rules/params.test.ts): only the values sent can fail it
    const result = rule.paramSchema.safeParse({ ...rule.defaults, ...params });
    if (result.success) return [];
    // one issue per path: 1e308 is both above the maximum and not an integer, with one message
    const seen = new Set<string>();
    return result.error.issues.flatMap((i) => {
      const path = formatPath(['params', ...i.path]);
      if (seen.has(path)) return [];
      seen.add(path);
      const value = i.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], params);
      const got =
        typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : undefined;
      return [{ path, message: got === undefined ? i.message : `${i.message}, got ${got}` }];
    });
  }

  return {
    start: settings.start,
    stop: settings.stop,
    overrides: (ruleId: string): RuleOverride | undefined => current().get(ruleId),
    get: (ruleId: string) => current().get(ruleId),

    /** Problems with a proposed change: unknown parameters, or values of another type than the default's. */
    check,
    /** Values of the right type outside the rule's range for them (checked once `check` finds nothing). */
    outOfRange,

    async change(ruleId: string, change: { params: Record<string, unknown>; status?: RuleStatus; trialUntil?: string; reason: string; changedBy: string }) {
      const merged = { ...current().get(ruleId)?.params, ...change.params };
      await repository.addSettings({
        ruleId,
        params: merged,
        status: change.status ?? current().get(ruleId)?.status ?? null,
        trialUntil: change.trialUntil ?? current().get(ruleId)?.trialUntil ?? null,
        reason: maskPersonalData(change.reason),
        changedBy: change.changedBy,
      });
      await settings.reloadNow();
      return current().get(ruleId);
    },

    historyOf: (ruleId: string) => repository.settingsHistory(ruleId),
  };
}

export type RuleSettings = ReturnType<typeof createRuleSettings>;

function kind(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return `a ${typeof v}`;
}
