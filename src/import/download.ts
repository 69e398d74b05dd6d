/**
 * Reading a model's files over HTTP with web APIs only (fetch, ReadableStream, AbortSignal), so it
 * runs in browsers as in Node. Each body is read as a stream against a bound fixed before the
 * request: a Content-Length over it is refused unread, and a lying or missing one is stopped at the
 * bound, so a hostile or mistaken server costs at most the bound plus one chunk. Every request and
 * read follows one AbortSignal, and every body not read to its end is cancelled: an unread body holds
 * its connection open until garbage collection.
 */
import { BdlError } from '../errors.js';

/** What one body may hold, and the error refusing more (`found` says what was seen). */
export interface Bound {
  bytes: number;
  refuse(found: string): BdlError;
  /** Bytes several bodies may take together (a model's shards), spent as their chunks arrive. */
  shared?: { left: number };
}

/**
 * A compressed body's Content-Length counts the bytes on the wire, which for incompressible data
 * (float weights) exceed the content by a few bytes per block; the decoded count is held to the
 * exact bound as it streams, so the header is only refused beyond this margin.
 */
const wireSlack = (bytes: number) => Math.ceil(bytes / 1024) + 1024;

function reason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // Node's fetch says only "fetch failed"; the cause holds ECONNREFUSED, ENOTFOUND, a bad certificate.
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = cause && (typeof cause.code === 'string' ? cause.code : typeof cause.message === 'string' ? cause.message : undefined);
  return detail ? `${e.message}: ${detail}` : e.message;
}

function release(r: Response): void {
  r.body?.cancel().catch(() => undefined);
}

/** The requests of one fetchModel call: they share one AbortSignal, which `close` aborts. */
export class Downloads {
  private readonly controller = new AbortController();
  private readonly detach: () => void;
  private readonly get: (url: string, init: RequestInit) => Promise<Response>;

  constructor(get: typeof fetch, caller?: AbortSignal) {
    // Called unbound: a browser's fetch called as a method of another object is an Illegal invocation.
    this.get = (url, init) => get(url, init);
    const forward = () => this.controller.abort(caller?.reason);
    if (caller?.aborted) forward();
    caller?.addEventListener('abort', forward, { once: true });
    this.detach = () => caller?.removeEventListener('abort', forward);
  }

  /** Stops every request and body still under way (after a failure, siblings' downloads are waste). */
  close(): void {
    this.detach();
    this.controller.abort();
  }

  /** The body at `url`, read whole within `bound`; a typed error for any failure, the body released. */
  async bytes(url: string, bound: Bound): Promise<Uint8Array> {
    const signal = this.controller.signal;
    const cancelled = (read: number) => new BdlError('E_ABORTED', `fetchModel: cancelled while fetching ${url}${read > 0 ? ` (${read} bytes read)` : ''}.`, 'signal');
    if (signal.aborted) throw cancelled(0);
    let r: Response;
    try {
      r = await untilAborted(this.get(url, { signal }), signal, release);
    } catch (e) {
      if (signal.aborted) throw cancelled(0);
      throw new BdlError('E_ARG', `model: fetching ${url} failed (${reason(e)}). Check the URL and that the server is up (in a browser, that it allows this page's origin: CORS).`, 'model');
    }
    if (!r.ok) {
      release(r);
      throw new BdlError('E_ARG', `model: fetching ${url} failed (HTTP ${r.status}). Check the URL: the model's files must be served beside it.`, 'model');
    }
    // A dev server (Vite's, a single-page app's) answers a missing file with its index.html and 200.
    if (/^\s*text\/html\b/i.test(r.headers.get('content-type') ?? '')) {
      release(r);
      throw new BdlError('E_ARG', `model: fetching ${url} gave an HTML page (Content-Type ${r.headers.get('content-type')}), not the model's file: the server's answer for a file it does not have, as a dev server's index.html fallback is. Check the URL, and that the file is served (e.g. from Vite's public/ folder).`, 'model');
    }
    const cap = Math.min(bound.bytes, bound.shared?.left ?? Infinity);
    const declared = Number(r.headers.get('content-length') ?? NaN);
    if (declared > cap + wireSlack(cap)) {
      release(r);
      throw bound.refuse(`a Content-Length of ${declared} bytes`);
    }
    if (!r.body) return new Uint8Array(0);
    const reader = r.body.getReader();
    // Cancelling the reader ends a pending read at once, also when the server (or a fetch that
    // ignores its signal) would never send another byte.
    const stop = () => void reader.cancel().catch(() => undefined);
    signal.addEventListener('abort', stop, { once: true });
    const chunks: Uint8Array[] = [];
    let n = 0;
    try {
      for (;;) {
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = await reader.read();
        } catch (e) {
          if (signal.aborted) throw cancelled(n);
          throw new BdlError('E_ARG', `model: reading ${url} failed after ${n} bytes (${reason(e)}). The connection broke off; try again.`, 'model');
        }
        if (signal.aborted) throw cancelled(n);
        if (step.done) break;
        n += step.value.byteLength;
        if (bound.shared) bound.shared.left -= step.value.byteLength;
        if (n > bound.bytes || (bound.shared && bound.shared.left < 0)) throw bound.refuse(`a body longer than that (stopped after ${n} bytes)`);
        chunks.push(step.value);
      }
    } catch (e) {
      stop();
      throw e;
    } finally {
      signal.removeEventListener('abort', stop);
    }
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(n);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}

/** `p`, or a rejection as soon as `signal` aborts (a value arriving after that goes to `late`). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal, late: (v: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) late(v);
        else resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
