/**
 * The per-customer summary both models are fitted on, as typed arrays (1 M customers fit in a few
 * tens of MB), with a weight per row so identical rows can be given once with their count.
 *
 * x: repeat purchases in the calibration period (purchase days − 1); tx: time of the last
 * purchase after the first; T: time from the first purchase to the end of the calibration period
 * (tx and T in the fit's unit: weeks or days); zbar: the mean spend of the repeat purchases (0 when
 * x = 0), in whatever money unit the caller chose (the model only scales it).
 */
export type RfmData = {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  zbar: Float64Array;
  weight: Float64Array;
};

export function rfmData(rows: ReadonlyArray<{ x: number; tx: number; T: number; zbar?: number; weight?: number }>): RfmData {
  const n = rows.length;
  const data: RfmData = { x: new Float64Array(n), tx: new Float64Array(n), T: new Float64Array(n), zbar: new Float64Array(n), weight: new Float64Array(n) };
  rows.forEach((row, i) => {
    data.x[i] = row.x;
    data.tx[i] = row.tx;
    data.T[i] = row.T;
    data.zbar[i] = row.zbar ?? 0;
    data.weight[i] = row.weight ?? 1;
  });
  return data;
}

/** The distinct values of a column and each row's index into them: per-value work (a log, a ln Γ) is then done once per value, not per row. */
export function distinctValues(values: Float64Array): { unique: Float64Array; index: Int32Array } {
  const unique = Float64Array.from(new Set(values)).sort();
  const position = new Map<number, number>();
  unique.forEach((value, i) => position.set(value, i));
  const index = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) index[i] = position.get(values[i]!)!;
  return { unique, index };
}

/** Σ weight. */
export function totalWeight(data: RfmData): number {
  let sum = 0;
  for (let i = 0; i < data.weight.length; i++) sum += data.weight[i]!;
  return sum;
}
