/**
 * Cancellation has one currency: a real AbortSignal. Entry points check what they were given with
 * `signalOption` before any work (a look-alike `{ aborted }` object would break code that listens for
 * 'abort'), and code that must stop on a condition only a poll can see (a shared-memory flag, a
 * deadline inside a synchronous loop) makes a real signal with `pollingSignal`.
 */
import { argError, describe } from './errors.js';

/** `v` when it is an AbortSignal or undefined; otherwise BdlError E_ARG naming `name`. */
export function signalOption(v: unknown, name = 'signal'): AbortSignal | undefined {
  if (v === undefined) return undefined;
  if (typeof AbortSignal !== 'undefined' && v instanceof AbortSignal) return v;
  throw argError('E_ARG', name, 'an AbortSignal', describe(v), 'Pass the signal of an AbortController (new AbortController().signal); objects that only look like one are refused.');
}

const abortedOf = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;

/**
 * A real AbortSignal that also aborts itself when `stopped()` turns true: reading its `aborted`
 * polls `stopped`, so a synchronous loop that tests `signal.aborted` notices a condition no event
 * announces, and listeners for 'abort' run at that moment. `abort()` aborts it directly.
 */
export function pollingSignal(stopped: () => boolean, reason?: () => unknown): { signal: AbortSignal; abort(): void } {
  const controller = new AbortController();
  const signal = controller.signal;
  const abort = () => {
    if (!abortedOf.call(signal)) controller.abort(reason?.());
  };
  Object.defineProperty(signal, 'aborted', {
    get() {
      if (!abortedOf.call(signal) && stopped()) abort();
      return abortedOf.call(signal) as boolean;
    },
  });
  return { signal, abort };
}

let channel: MessageChannel | undefined;
const waiting: Array<() => void> = [];
let pumping = false;
let turnStart = 0;

/**
 * When the current turn of the event loop began, as far as this thread's yields can tell: the
 * moment `macrotask` last resumed a waiter (performance.now()). Work that yields on a time budget
 * measures from here as well as from its own last yield, so a chain started in the middle of a turn
 * (after another chain ended) does not add a whole budget of its own to that turn.
 */
export function turnStarted(): number {
  return turnStart;
}

/**
 * Yields to the event loop so pending messages (a cancel, an abort, a signal handler) get
 * delivered: setImmediate in Node, otherwise a MessageChannel message (unlike setTimeout it is not
 * clamped to 4 ms). One waiter resumes per turn of the loop: Node runs every immediate queued
 * before its check phase in that one phase, so four in-thread chains that each yield after 50 ms
 * of work would otherwise hold the loop for 200 ms between two looks at timers and I/O.
 */
export function macrotask(): Promise<void> {
  return new Promise((r) => {
    waiting.push(r);
    if (pumping) return;
    pumping = true;
    nextTurn();
  });
}

/** Schedules `resumeOne` in the next turn (an immediate queued from an immediate runs in the next check phase). */
function nextTurn(): void {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  if (typeof g.setImmediate === 'function') {
    g.setImmediate(resumeOne);
    return;
  }
  if (channel === undefined) {
    channel = new MessageChannel();
    channel.port1.onmessage = resumeOne;
  }
  channel.port2.postMessage(0);
}

function resumeOne(): void {
  turnStart = performance.now();
  const r = waiting.shift();
  if (waiting.length > 0) nextTurn();
  else pumping = false;
  r?.();
}
