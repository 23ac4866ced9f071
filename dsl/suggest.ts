// "Did you mean": the closest names by edit distance.
//
// Optimal string alignment distance (Levenshtein plus adjacent
// transpositions, so `tset` is one edit from `test`). A candidate is offered
// when it is within max(1, floor(len / 3)) edits of what was typed, and at
// most three candidates are listed, nearest first, ties alphabetical.

function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
    }
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[m]!;
}

/** Up to `max` names close to `typed`, best first. */
export function closestNames(typed: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(1, Math.floor(typed.length / 3));
  const scored: Array<[number, string]> = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c) || c === typed) continue;
    seen.add(c);
    if (Math.abs(c.length - typed.length) > limit) continue;
    const d = editDistance(typed, c);
    if (d <= limit) scored.push([d, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  return scored.slice(0, max).map((s) => s[1]);
}

/** " (did you mean 'a' or 'b'?)" or "" when nothing is close. */
export function didYouMean(typed: string, candidates: Iterable<string>): string {
  const names = closestNames(typed, candidates);
  if (names.length === 0) return "";
  const quoted = names.map((n) => `'${n}'`);
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
  return ` (did you mean ${list}?)`;
}
