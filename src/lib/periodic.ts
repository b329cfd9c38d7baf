/**
 * A job run every `intervalMs` (0: never) in the background: one run at a time (a tick while one
 * runs does nothing), a failure handed to `onError` and tried again at the next tick, and `stop`
 * waits for a run in progress.
 */
export function createPeriodic({ run, intervalMs, onError }: { run: () => Promise<unknown>; intervalMs: number; onError: (err: unknown) => void }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const tick = () => {
    running ??= run()
      .catch(onError)
      .finally(() => (running = undefined));
  };
  return {
    start() {
      if (intervalMs <= 0 || timer) return;
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
