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

/** The sample standard deviation (n − 1). */
function sampleStdDev(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
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
  const se = sampleStdDev(w) / ((1 - 2 * (g / n)) * Math.sqrt(n));
  const fig = figureOf(rounds, estimator);
  return (estimator === "trimmed" ? se : 1.25 * se) / Math.abs(fig);
}

/** The median of each block's rounds (blocks: rounds per block, in order): one round slowed by another process does not move it. */
export function blockMedians(rounds: readonly number[], blocks: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  for (const n of blocks) {
    out.push(median(rounds.slice(i, i + n)));
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
 * The plain standard deviation of the block medians over √blocks: the median
 * of a block ignores one slowed round, and no block is winsorized away (with
 * 5–8 blocks, winsorizing one at each end hid a block that was off as a
 * whole: ±0.04 % on a case whose block means spanned 108.3–111.1 µs). It
 * overstates the error a little (a median of 3 is noisier than their mean),
 * never understates it. Scaled by 1.25 for the median and the fastest round,
 * as relativeStdError does; a recording without blocks (older) falls back to
 * its rounds; fewer than 3 blocks cannot say (Infinity).
 */
export function caseStdError(rounds: readonly number[], blocks: readonly number[] | undefined, estimator: Estimator): number {
  if (!blocks || blocks.length === rounds.length) return relativeStdError(rounds, estimator);
  const b = blocks.length;
  if (b < 3) return Infinity;
  const sd = sampleStdDev(blockMedians(rounds, blocks));
  return ((estimator === "trimmed" ? 1 : 1.25) * sd) / Math.sqrt(b) / Math.abs(figureOf(rounds, estimator));
}
