import type { Logger } from 'pino';
import type { RulesRepository } from './rules.repository.js';

/**
 * Rules that threw, counted per rule, version and service month: counted in memory as they happen
 * (a rule error never delays or breaks a claim's screening) and added to `rule_errors` every
 * `flushMs` and at shutdown, one statement per rule and month.
 */
export function createRuleErrorLog({ repository, logger, flushMs = 2000 }: { repository: RulesRepository; logger: Logger; flushMs?: number }) {
  let pending = new Map<string, { ruleId: string; ruleVersion: number; month: string; errors: number; lastMessage: string }>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();

  async function write(batch: typeof pending) {
    for (const e of batch.values()) await repository.addErrors({ ...e, lastMessage: e.lastMessage.slice(0, 2000) });
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
      return repository.errorsForMonth(month);
    },
  };
}

export type RuleErrorLog = ReturnType<typeof createRuleErrorLog>;
