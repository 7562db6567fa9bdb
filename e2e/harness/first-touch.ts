/**
 * What writing to memory no one has touched yet costs, in ms per MiB: a fresh buffer, one write
 * per 4 KiB page (each a page fault), median of `rounds`; then the same pages written again (no
 * fault) beside it. On the project's 2-core VM a first touch is ~2.9 ms/MiB in Node and ~4.9 in
 * a Chromium page, hundreds of times the second (bare-metal Linux: a few tenths of a ms). Every
 * path that makes a fresh output pays it: FP16's 768 x 3,072 halves (4.5 MiB) cost ~14-20 ms of a
 * ~25-40 ms make there, on the TS and the WGSL path alike. The bench's `machine` block keeps it
 * (Node and the page) so figures from different machines or sessions can be read against it.
 */
export interface FirstTouch {
  first_touch_ms_per_mib: number;
  second_touch_ms_per_mib: number;
  mib: number;
  rounds: number;
}

const PAGE = 4096;

/**
 * 64 MiB by default: above glibc's largest mmap threshold (32 MiB), so Node's allocator maps it
 * fresh from the OS every time (a smaller buffer may reuse memory freed earlier, already touched,
 * and read ~0.003 ms/MiB), as Chromium's does for any large buffer.
 */
export function measureFirstTouch(mib = 64, rounds = 5): FirstTouch {
  const bytes = mib * 2 ** 20;
  const first: number[] = [];
  const second: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = new Uint8Array(bytes);
    let t = performance.now();
    for (let i = 0; i < bytes; i += PAGE) a[i] = 1;
    first.push((performance.now() - t) / mib);
    t = performance.now();
    for (let i = 0; i < bytes; i += PAGE) a[i] = 2;
    second.push((performance.now() - t) / mib);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { first_touch_ms_per_mib: round(median(first)), second_touch_ms_per_mib: round(median(second)), mib, rounds };
}
