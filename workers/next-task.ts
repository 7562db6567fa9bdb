/**
 * One turn of the event loop, for long work that must let queued messages in (a cancel call
 * arrives through comlink as one) without paying setTimeout's clamp. A chain of setTimeout(0)
 * (each set from the task a timer ran, or from the promise jobs that follow it, as a loop of
 * `await`s is) waits at least 4 ms from its 5th link on, by HTML's timer nesting rule. Measured in
 * this Chromium's worker: 0–0.2 ms for the first 5 links, then 4.0–5.2 ms each: ~45 ms of a 1.1 s
 * evaluation of 16 windows on WASM, where the bare session it is benched against never yields
 * (bench ppl, A B A B: lab/bare paired 0.978, 0.946, 0.994 with setTimeout, 0.999, 0.994, 1.013
 * with this). A make's yields wait on the GPU anyway: no change there.
 * A message to ourselves is a task with no such clamp, and messages queued before it run first.
 * Node (vitest, the bench's Node steps) has setImmediate, which is the same thing there and
 * keeps no port open.
 */
const waiting: (() => void)[] = [];
let channel: MessageChannel | undefined;

export function nextTask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  const port = channel.port2;
  return new Promise((resolve) => {
    waiting.push(resolve);
    port.postMessage(null);
  });
}
