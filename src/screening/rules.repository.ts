import type { RuleStatus } from '../../rules/finding.js';
import type { Database } from '../db/client.js';

/** One rule's stored settings row as the latest per rule reads it. */
export type StoredRuleSettings = {
  rule_id: string;
  params: unknown;
  status: RuleStatus | null;
  trial_until: string | null;
  version: number;
  changed_at: string;
  changed_by: string;
};

/** The rules feature's SQL: the deployment's settings (append-only), the errors rules threw, and hits per rule. */
export function createRulesRepository({ database }: { database: Database }) {
  return {
    /** the latest settings row per rule, with how many rows the rule has (its settings version) */
    latestSettings() {
      return database.query<StoredRuleSettings>(
        `select distinct on (rule_id) rule_id, params, status, trial_until::text, changed_at::text, changed_by,
           (select count(*)::int from rule_settings s2 where s2.rule_id = s.rule_id) as version
         from rule_settings s order by rule_id, id desc`,
      );
    },

    async addSettings(row: { ruleId: string; params: Record<string, unknown>; status: RuleStatus | null; trialUntil: string | null; reason: string; changedBy: string }): Promise<void> {
      await database.query('insert into rule_settings (rule_id, params, status, trial_until, reason, changed_by) values ($1, $2::jsonb, $3, $4::date, $5, $6)', [
        row.ruleId,
        JSON.stringify(row.params),
        row.status,
        row.trialUntil,
        row.reason,
        row.changedBy,
      ]);
    },

    settingsHistory(ruleId: string) {
      return database.query('select id, params, status, trial_until::text, reason, changed_by, changed_at::text from rule_settings where rule_id = $1 order by id', [ruleId]);
    },

    /** adds errors counted in memory to the rule's, version's and month's row */
    async addErrors(e: { ruleId: string; ruleVersion: number; month: string; errors: number; lastMessage: string }): Promise<void> {
      await database.query(
        `insert into rule_errors (rule_id, rule_version, service_month, errors, last_message, last_at) values ($1, $2, $3, $4, $5, now())
         on conflict (rule_id, rule_version, service_month)
         do update set errors = rule_errors.errors + excluded.errors, last_message = excluded.last_message, last_at = excluded.last_at`,
        [e.ruleId, e.ruleVersion, e.month, e.errors, e.lastMessage],
      );
    },

    errorsForMonth(month: string) {
      return database.query<{ rule_id: string; rule_version: number; errors: number; last_message: string; last_at: string }>(
        'select rule_id, rule_version, errors, last_message, last_at::text from rule_errors where service_month = $1 order by rule_id, rule_version',
        [month],
      );
    },

    /** findings of a service month counted per rule, status and severity */
    hitsForMonth(month: string) {
      return database.query<{ rule_id: string; status: string; severity: string; hits: number; claims: number; retrospective: number; amount: string }>(
        `select rule_id, status, severity, count(*)::int as hits, count(distinct claim_id)::int as claims,
                count(*) filter (where retrospective)::int as retrospective, sum(amount)::text as amount
         from findings where service_month = $1 group by rule_id, status, severity order by rule_id, status, severity`,
        [month],
      );
    },
  };
}

export type RulesRepository = ReturnType<typeof createRulesRepository>;
