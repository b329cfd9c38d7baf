import type { Context } from 'hono';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import type { ScreenContext } from './screen-claim.js';

/** The screening context of a request: POST /v1/claims and each line of the stream. */
export function screenContext(deps: AppDeps, c: Context<AppEnv>): ScreenContext {
  return screeningContext(deps, { clientId: c.get('actor')?.clientId ?? null, requestId: c.get('requestId') });
}

/** What screening one claim needs from the service: its dependencies, who sent it, the request it came in. */
export function screeningContext(deps: AppDeps, { clientId, requestId }: { clientId: string | null; requestId: string | undefined }): ScreenContext {
  return {
    claims: deps.claims,
    rules: deps.rules,
    ruleOverrides: deps.ruleSettings.overrides,
    history: deps.history,
    reference: deps.referenceCache,
    providerScores: deps.providerScores,
    personLock: deps.personLock,
    personIdSecret: deps.personIdSecret,
    now: deps.now,
    clientId,
    onRuleError: (ruleId, message, { ruleVersion, month }) => {
      deps.metrics.ruleErrors.inc({ rule: ruleId, month });
      deps.ruleErrors.record(ruleId, ruleVersion, month, message);
      deps.logger.warn({ ruleId, err: message, requestId }, 'rule failed');
    },
  };
}
