/** One-sided sign test: P(at least `wins` of `n` rounds faster) if neither side were faster (p = 1/2 a round). */
export function signTestP(wins: number, n: number): number {
  let p = 0;
  let c = 1; // C(n, k), built up from k = 0
  for (let k = 0; k <= n; k++) {
    if (k >= wins) p += c;
    c = (c * (n - k)) / (k + 1);
  }
  return p / 2 ** n;
}
