// Every error path of the pool releases every handle: a child process that hits it (with or without
// calling close() afterwards) must exit by itself within 5 s of the error, having seen the expected
// error code. (The child as a whole gets 60 s: starting workers on a loaded machine takes seconds.)
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = JSON.stringify(fileURLToPath(new URL('../../dist/index.js', import.meta.url)));
// Failures on purpose come from the test-only 'fault' kind (./faults.ts), which the fault worker
// (test/setup/fault-worker.ts) runs; the main thread only needs to know the kind's name.
const faultWorker = `workerUrl: ${JSON.stringify(fileURLToPath(new URL('../../test-output/fault-worker.js', import.meta.url)))}, tasks: { fault: async () => { throw new Error('faults run in workers'); } }`;
const fault = (stream: string, fault: string, steps = '20') => `({ kind: 'fault', seed: 1, stream: ${stream}, options: { kind: 'selftest', options: { steps: ${steps} }, ${fault} } })`;

/** Error paths: pool options, then the statement that must fail (its error code is printed). */
const PATHS: Record<string, { pool: string; fail: string; code: string }> = {
  'a task that cannot be structured-cloned': { pool: '{ size: 1 }', fail: `pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { f: () => 1 } }])`, code: 'E_WORKER' },
  'the same without shared memory': { pool: '{ size: 1, shared: false }', fail: `pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { f: () => 1 } }])`, code: 'E_WORKER' },
  'run data that cannot be cloned in a worker-less pool': { pool: '{ size: 0 }', fail: `pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { steps: 1 } }], { data: { x: {} } })`, code: 'E_ARG' },
  'a worker that keeps crashing beyond maxRestarts': { pool: `{ size: 1, maxRestarts: 0, ${faultWorker} }`, fail: `pool.run([${fault('0', 'crashAt: 5')}])`, code: 'E_WORKER' },
  'a worker that exits beyond maxRestarts': { pool: `{ size: 2, maxRestarts: 0, ${faultWorker} }`, fail: `pool.run([0, 1].map((s) => ${fault('s', "crashAt: 5, crash: 'exit'")}), { failFast: true })`, code: 'E_WORKER' },
  'a task that throws': { pool: `{ size: 2, ${faultWorker} }`, fail: `pool.run([0, 1, 2].map((s) => ${fault('s', 'throwAt: 10', '50')}))`, code: 'E_WORKER' },
  'a task that throws, failFast': { pool: `{ size: 1, ${faultWorker} }`, fail: `pool.run([${fault('0', 'throwAt: 3', '1e9')}, { kind: 'selftest', seed: 1, stream: 1, options: { steps: 1e9 } }], { failFast: true })`, code: 'E_WORKER' },
  'cancel by AbortSignal (shared memory)': { pool: '{ size: 2 }', fail: `(() => { const ac = new AbortController(); setTimeout(() => ac.abort(), 50); return pool.run([0, 1, 2].map((s) => ({ kind: 'selftest', seed: 1, stream: s, options: { steps: 1e9 } })), { signal: ac.signal }); })()`, code: 'E_ABORTED' },
  'cancel by AbortSignal (messages)': { pool: '{ size: 1, shared: false }', fail: `(() => { const ac = new AbortController(); setTimeout(() => ac.abort(), 50); return pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { steps: 1e9 } }], { signal: ac.signal }); })()`, code: 'E_ABORTED' },
  'cancel in-thread': { pool: '{ size: 0 }', fail: `(() => { const ac = new AbortController(); setTimeout(() => ac.abort(), 50); return pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { steps: 1e9 } }], { signal: ac.signal }); })()`, code: 'E_ABORTED' },
  'a look-alike signal': { pool: '{ size: 1 }', fail: `pool.run([{ kind: 'selftest', seed: 1, stream: 0 }], { signal: { aborted: false } })`, code: 'E_ARG' },
  'close during a run': { pool: '{ size: 2 }', fail: `(() => { const p = pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { steps: 1e9 } }]); setTimeout(() => pool.close(), 50); return p; })()`, code: 'E_CLOSED' },
  'close during an in-thread run': { pool: '{ size: 0 }', fail: `(() => { const p = pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { steps: 1e9 } }]); setTimeout(() => pool.close(), 50); return p; })()`, code: 'E_CLOSED' },
  'an unknown task kind': { pool: '{ size: 1 }', fail: `pool.run([{ kind: 'no-such-kind', seed: 1, stream: 0 }])`, code: 'E_ARG' },
  'a run after close': { pool: '{ size: 1 }', fail: `pool.close().then(() => pool.run([{ kind: 'selftest', seed: 1, stream: 0 }]))`, code: 'E_CLOSED' },
};

/** createPool itself failing: the options, the code, and what the message must name. */
const STARTS: Record<string, { options: string; code: string; names: RegExp }> = {
  'a worker path that does not exist': { options: `{ size: 2, workerUrl: '/nonexistent/worker.js' }`, code: 'E_WORKER', names: /\/nonexistent\/worker\.js.*workerUrl/s },
  'a file: URL that does not exist': { options: `{ size: 1, workerUrl: new URL('file:///nonexistent/w.js') }`, code: 'E_WORKER', names: /file:\/\/\/nonexistent\/w\.js.*dist\/worker\.js/s },
  'a relative worker path': { options: `{ size: 1, workerUrl: 'worker.js' }`, code: 'E_WORKER', names: /worker\.js.*absolute path/s },
  'a worker script that throws': { options: `{ size: 1, workerUrl: 'data:text/javascript,throw new Error("boom")' }`, code: 'E_WORKER', names: /boom/ },
  'a workerUrl that is not a URL': { options: `{ size: 1, workerUrl: 42 }`, code: 'E_ARG', names: /workerUrl: expected a URL or a string, found 42/ },
};

/**
 * The promise is 5 s. After a crash the pool first starts the dead worker's successor, which keeps
 * Node alive until it is up: on a machine running several times more threads than it has cores that
 * alone can take longer, so allow 15 s there, and say so.
 */
function limitMs(): number {
  const overloaded = loadavg()[0] > 3 * availableParallelism();
  if (overloaded) console.log(`load average ${loadavg()[0].toFixed(0)} on ${availableParallelism()} cores: allowing 15 s instead of 5 s`);
  return overloaded ? 15_000 : 5000;
}

/** Runs a script; `exitMs` is how long the process lived after it printed its outcome; `error` is set when it had to be killed. */
function runScript(script: string): Promise<{ stdout: string; stderr: string; status: number | null; signal: string | null; error?: string; exitMs: number }> {
  const timed = `${script}\nconst tEnd = performance.now(); process.on('exit', () => console.log('exit-ms', Math.round(performance.now() - tEnd)));`;
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', timed]);
    let stdout = '';
    let stderr = '';
    let error: string | undefined;
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const kill = setTimeout(() => {
      error = 'killed after 60 s';
      p.kill('SIGKILL');
    }, 60_000);
    p.on('close', (status, signal) => {
      clearTimeout(kill);
      resolve({ stdout, stderr, status, signal, error, exitMs: Number(/exit-ms (\d+)/.exec(stdout)?.[1] ?? NaN) });
    });
  });
}

describe.concurrent('every error path of the pool lets Node exit by itself', () => {
  for (const [name, { pool, fail, code }] of Object.entries(PATHS)) {
    for (const close of [true, false]) {
      it(`${name}${close ? ', then close()' : ', without close()'}`, async () => {
        const script = `
          import { createPool } from ${dist};
          const pool = await createPool(${pool});
          const got = await ${fail}.then(() => 'resolved', (e) => e.code ?? String(e));
          console.log('got', got);
          ${close ? 'await pool.close();' : ''}
        `;
        const r = await runScript(script);
        expect(r.error, `did not exit (killed after 60 s); stdout: ${r.stdout}`).toBeUndefined();
        expect(r.signal).toBeNull();
        expect(r.stderr).toBe('');
        expect(r.stdout).toContain(`got ${code}`);
        expect(r.status).toBe(0);
        expect(r.exitMs).toBeLessThan(limitMs());
      });
    }
  }

  for (const [name, { options, code, names }] of Object.entries(STARTS)) {
    it(`createPool with ${name}: ${code} naming it and the fix`, async () => {
      const script = `
        import { createPool } from ${dist};
        try { await createPool(${options}); console.log('created'); }
        catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }
      `;
      const r = await runScript(script);
      expect(r.error, `did not exit (killed after 60 s); stdout: ${r.stdout}`).toBeUndefined();
      expect(r.status).toBe(0);
      expect(r.exitMs).toBeLessThan(limitMs());
      const e = JSON.parse(r.stdout.split('\n')[0]);
      expect(e).toMatchObject({ name: 'BdlError', code });
      expect(e.message).toMatch(names);
    });
  }
});
