import type { Logger } from 'pino';

export interface Refreshing<T> {
  /** the value last loaded (the initial one before the first load) */
  current(): T;
  /**
   * Loads again when the probe's answer changed since the last load (always when forced, or without
   * a probe). Calls while a load runs share it.
   */
  refresh(force?: boolean): Promise<void>;
  /** loads again after a write: waits out a load already running (it may have read before the write), then loads */
  reloadNow(): Promise<void>;
  /** loads at once, then refreshes every `refreshMs`; a failed refresh is logged and the value kept */
  start(): Promise<void>;
  stop(): void;
}

/**
 * A value read from the database and held in memory, so the per-claim path never queries for it:
 * reloaded every `refreshMs` when a cheap probe (row counts, latest ids) says the tables changed,
 * which is how writes through other instances or commands reach this one.
 */
export function createRefreshing<T>({
  name,
  initial,
  load,
  probe,
  onLoaded,
  refreshMs,
  logger,
}: {
  /** what the log says failed: "`name` refresh failed" */
  name: string;
  initial: T;
  load: () => Promise<T>;
  /** any JSON answer that changes when the tables do; without it every refresh loads */
  probe?: () => Promise<unknown>;
  onLoaded?: (value: T) => void;
  refreshMs: number;
  logger: Logger;
}): Refreshing<T> {
  let value = initial;
  let fingerprint: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let loading: Promise<void> | undefined;

  async function reload(force: boolean) {
    const seen = probe ? JSON.stringify(await probe()) : undefined;
    if (!force && seen !== undefined && seen === fingerprint) return;
    value = await load();
    fingerprint = seen;
    onLoaded?.(value);
  }
  const refresh = (force = false) => (loading ??= reload(force).finally(() => (loading = undefined)));

  return {
    current: () => value,
    refresh,
    async reloadNow() {
      await loading?.catch(() => undefined);
      return refresh(true);
    },
    start() {
      timer = setInterval(() => refresh().catch((err) => logger.warn({ err }, `${name} refresh failed`)), refreshMs);
      timer.unref();
      return refresh(true);
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
