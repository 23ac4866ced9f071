// A case's figure from its rounds, and how precise that figure is.
//
// Each round gives one with-probe-minus-without-probe difference per call.
// On the project's VM those differences scatter by about 10 % (one standard
// deviation) from run to run whether a run lasts 20 ms or 240 ms, quiet or
// not, and the scatter is not shared by the cases of one round: it belongs to
// the process, not to the moment. So only more runs make a figure more
// precise, and the estimator should use all of them: the trimmed mean (the
// mean of the middle 60 %) does, while ignoring the rare run another process
// slowed down. On 15 quiet rounds (fit on 7, check on 7 others, 300 random
// splits) the held-out mean error was 4.9 % with it against 5.8 % with the
// median. docs/uprobes-model.md §9.5.

/**
 * trimmed: the mean of the rounds without the lowest and highest 20 % (the default);
 * median: the middle round; min: the fastest round, which other processes can
 * only have slowed down (the better figure on a busy machine).
 */
export type Estimator = "trimmed" | "median" | "min";
export const ESTIMATORS: readonly Estimator[] = ["trimmed", "median", "min"];

/** Fraction of the rounds the trimmed mean drops at each end. */
const TRIM = 0.2;

function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function trimCount(n: number): number {
  return Math.floor(n * TRIM);
}

export function trimmedMean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const g = trimCount(s.length);
  const mid = s.slice(g, s.length - g);
  return mid.reduce((a, b) => a + b, 0) / mid.length;
}

export function figureOf(rounds: readonly number[], estimator: Estimator): number {
  if (estimator === "min") return Math.min(...rounds);
  return estimator === "median" ? median(rounds) : trimmedMean(rounds);
}

/**
 * The standard error of the figure relative to it (0.02 = 2 %), from the
 * scatter of the rounds: for the trimmed mean the winsorized standard
 * deviation / ((1 − 2·TRIM) √n) (Tukey–McLaughlin); for the median and the
 * fastest round the same scaled by the median's 1.25 (normal rounds). Infinity
 * below three rounds: two cannot say how far a third would fall.
 */
export function relativeStdError(rounds: readonly number[], estimator: Estimator): number {
  const n = rounds.length;
  if (n < 3) return Infinity;
  const s = sorted(rounds);
  const g = trimCount(n);
  const w = s.map((x, i) => (i < g ? s[g]! : i >= n - g ? s[n - g - 1]! : x));
  const wm = w.reduce((a, b) => a + b, 0) / n;
  const wsd = Math.sqrt(w.reduce((a, x) => a + (x - wm) ** 2, 0) / (n - 1));
  const se = wsd / ((1 - 2 * (g / n)) * Math.sqrt(n));
  const fig = figureOf(rounds, estimator);
  return (estimator === "trimmed" ? se : 1.25 * se) / Math.abs(fig);
}

/** The mean of each block's rounds (blocks: rounds per block, in order). */
export function blockMeans(rounds: readonly number[], blocks: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  for (const n of blocks) {
    const b = rounds.slice(i, i + n);
    out.push(b.reduce((a, x) => a + x, 0) / b.length);
    i += n;
  }
  return out;
}

/**
 * A case's standard error with its blocks as the independent samples: the
 * rounds of one block share its tracefs events and a few seconds of the
 * machine's speed, which drifts by up to 30 % over tens of seconds on the
 * project's VM, so whatever persists over a block lands in the spread
 * between blocks rather than hiding in rounds that agree with each other.
 * relativeStdError over the block means (winsorized, scaled as there); a
 * recording without blocks (older) falls back to its rounds.
 */
export function caseStdError(rounds: readonly number[], blocks: readonly number[] | undefined, estimator: Estimator): number {
  if (!blocks || blocks.length === rounds.length) return relativeStdError(rounds, estimator);
  const means = blockMeans(rounds, blocks);
  // the min's and the median's scale as in relativeStdError; relative to the case's own figure, not the block means'
  const e: Estimator = estimator === "trimmed" ? "trimmed" : "median";
  return (relativeStdError(means, e) * Math.abs(figureOf(means, e))) / Math.abs(figureOf(rounds, estimator));
}
