/**
 * Input matrices. The forest works on one row-major Float64Array; callers may pass either
 * that (with its column count) or an array of rows, which is converted once.
 */

/** A dense row-major matrix: value (r, j) is data[r * cols + j]. */
export interface RowMajorMatrix {
  readonly data: Float64Array;
  readonly cols: number;
}

/** Accepted inputs: rows as arrays (number[][]) or a row-major Float64Array with its width. */
export type MatrixInput = ReadonlyArray<ArrayLike<number>> | RowMajorMatrix;

export interface DenseMatrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

function isRowMajor(input: MatrixInput): input is RowMajorMatrix {
  return !Array.isArray(input);
}

/**
 * Normalises the input to a DenseMatrix without copying a Float64Array, checking that it is
 * rectangular and that every value is finite (NaN would silently go right at every split).
 * `expectedCols` (when known, e.g. at scoring time) must match the width.
 */
export function toDenseMatrix(input: MatrixInput, expectedCols?: number): DenseMatrix {
  if (isRowMajor(input)) {
    const { data, cols } = input;
    if (!(data instanceof Float64Array)) {
      throw new TypeError('row-major input must be a Float64Array');
    }
    if (!Number.isInteger(cols) || cols < 1) {
      throw new RangeError(`cols must be a positive integer, got ${cols}`);
    }
    if (data.length % cols !== 0) {
      throw new RangeError(`data length ${data.length} is not a multiple of cols ${cols}`);
    }
    checkCols(cols, expectedCols);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) {
        throw new RangeError(`non-finite value at row ${Math.floor(i / cols)}, column ${i % cols}`);
      }
    }
    return { data, rows: data.length / cols, cols };
  }

  const rows = input.length;
  if (rows === 0) {
    return { data: new Float64Array(0), rows: 0, cols: expectedCols ?? 0 };
  }
  const cols = input[0]!.length;
  if (cols < 1) throw new RangeError('rows must have at least one column');
  checkCols(cols, expectedCols);
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = input[r]!;
    if (row.length !== cols) {
      throw new RangeError(`row ${r} has ${row.length} columns, expected ${cols}`);
    }
    const base = r * cols;
    for (let j = 0; j < cols; j++) {
      const v = row[j]!;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new RangeError(`non-finite value at row ${r}, column ${j}`);
      }
      data[base + j] = v;
    }
  }
  return { data, rows, cols };
}

function checkCols(cols: number, expectedCols: number | undefined): void {
  if (expectedCols !== undefined && cols !== expectedCols) {
    throw new RangeError(`input has ${cols} columns, the model expects ${expectedCols}`);
  }
}
