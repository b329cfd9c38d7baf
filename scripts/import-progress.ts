import cliProgress from 'cli-progress';

/**
 * The import's progress bar, by bytes read (rows vary in length, bytes are known up front). Only on
 * a terminal: in a log or a pipe it would be noise, and the summary line says what happened.
 */
export function createImportProgress(totalBytes: number, stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return { read() {}, rows() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'importing |{bar}| {percentage}% | {value}/{total} bytes | {rows} rows | eta {eta_formatted}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let bytes = 0;
  let rowCount = 0;
  bar.start(Math.max(totalBytes, 1), 0, { rows: 0 });
  return {
    read(n: number) {
      bytes += n;
      bar.update(bytes, { rows: rowCount });
    },
    rows(n: number) {
      rowCount = n;
    },
    stop() {
      bar.update(bytes, { rows: rowCount });
      bar.stop();
    },
  };
}
