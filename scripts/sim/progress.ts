import cliProgress from 'cli-progress';

/**
 * Progress of answered claims on stderr: a bar on a terminal, a line every ten seconds in a log
 * or a pipe (where a redrawn bar would be noise).
 */
export function claimProgress(total: number, stream: NodeJS.WriteStream = process.stderr) {
  const started = performance.now();
  const rate = (n: number) => Math.round(n / Math.max((performance.now() - started) / 1000, 0.001));
  if (!stream.isTTY) {
    let last = started;
    return {
      update(n: number) {
        if (performance.now() - last < 10_000) return;
        last = performance.now();
        stream.write(`answered ${n}/${total} (${rate(n)} claims/s)\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: 'claims |{bar}| {percentage}% | {value}/{total} answered | {speed} claims/s | eta {eta_formatted}', hideCursor: true, etaBuffer: 200 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { speed: 0 });
  return {
    update(n: number) {
      bar.update(n, { speed: rate(n) });
    },
    stop() {
      bar.stop();
    },
  };
}
