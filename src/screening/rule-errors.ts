import type { Logger } from 'pino';
import type { Database } from '../db/client.js';

/**
 * Rules that threw, counted per rule, version and service month: counted in memory as they happen
 * (a rule error never delays or breaks a claim's screening) and added to `rule_errors` every
 * `flushMs` and at shutdown, one statement per rule and month.
 */
export function createRuleErrorLog({ database, logger, flushMs = 2000 }: { database: Database; logger: Logger; flushMs?: number }) {
  let pending = new Map<string, { ruleId: string; ruleVersion: number; month: string; errors: number; lastMessage: string }>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();

  async function write(batch: typeof pending) {
    for (const e of batch.values()) {
      await database.query(
        `insert into rule_errors (rule_id, rule_version, service_month, errors, last_message, last_at) values ($1, $2, $3, $4, $5, now())
         on conflict (rule_id, rule_version, service_month)
         do update set errors = rule_errors.errors + excluded.errors, last_message = excluded.last_message, last_at = excluded.last_at`,
        [e.ruleId, e.ruleVersion, e.month, e.errors, e.lastMessage.slice(0, 2000)],
      );
    }
  }

  const flush = () => {
    if (pending.size === 0) return flushing;
    const batch = pending;
    pending = new Map();
    flushing = flushing.then(() => write(batch)).catch((err) => logger.warn({ err }, 'rule errors not recorded'));
    return flushing;
  };

  return {
    record(ruleId: string, ruleVersion: number, month: string, message: string) {
      const key = `${ruleId}|${ruleVersion}|${month}`;
      const e = pending.get(key);
      if (e) {
        e.errors++;
        e.lastMessage = message;
      } else pending.set(key, { ruleId, ruleVersion, month, errors: 1, lastMessage: message });
    },
    flush,
    start() {
      timer = setInterval(() => void flush(), flushMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await flush();
    },
    /** errors per rule in a service month, recorded ones plus those not yet written */
    async forMonth(month: string) {
      await flush();
      return database.query<{ rule_id: string; rule_version: number; errors: number; last_message: string; last_at: string }>(
        'select rule_id, rule_version, errors, last_message, last_at::text from rule_errors where service_month = $1 order by rule_id, rule_version',
        [month],
      );
    },
  };
}

export type RuleErrorLog = ReturnType<typeof createRuleErrorLog>;
