// The queue section of bench/RESULTS.md, from bench/queue-run.mjs's result (shared by run.mjs).
export function queueMarkdown(q) {
  const o = q.overhead;
  const n = q.nuts;
  const r = q.redis;
  return [
    '<!-- queue:begin -->',
    '## Queue backend (BullMQ on a loopback redis-server, `bdl worker` processes)',
    '',
    `Measured ${q.date.slice(0, 16).replace('T', ' ')} UTC; 1-minute load average ${q.load1_start_end.join(' → ')} on ${q.cores ?? 2} cores (shared with other jobs: read ratios, not absolute times).`,
    '',
    ...(Math.min(...q.load1_start_end) > (q.cores ?? 2)
      ? ['**The machine was oversubscribed during this run** (more runnable processes than cores throughout): a second worker cannot add throughput when neither gets a core of its own, so the scaling ratios below say nothing about the queue. Re-run `npm run bench -- --only queue` on a quiet machine (the local pool measured 1.87× on 2 workers here when quiet, above).', '']
      : []),
    '| tiny task (selftest, no work) | local pool, 1 worker | queue, 1 worker process |',
    '|---|---|---|',
    `| one task per run, round trip | ${o.local.roundtrip_ms} ms | ${o.queue.roundtrip_ms} ms |`,
    `| 200 tasks in one run, per task | ${o.local.per_task_in_batch_ms} ms | ${o.queue.per_task_in_batch_ms} ms |`,
    '',
    `16 NUTS chains (BNN 1-20-1, 61 parameters, 100 points; ${n.warmup} warmup + ${n.draws} draws each, tree depth ≤ 6: ${n.grad_evals_per_chain} gradient evaluations per chain), medians of ${n.rounds ?? 3} interleaved rounds (after one untimed run on every pool). Times are the chains' part (sampleChains' \`seconds\`: from submitting the tasks to holding every result); the caller's diagnostics (R̂, ESS: ${n.diagnostics_s} s, serial, the same on every backend) come on top.`,
    '',
    '| | 1 | 2 | speedup |',
    '|---|---|---|---|',
    `| queue, worker processes | ${n.one_worker_s} s | ${n.two_workers_s} s | **${n.speedup_2}×**${n.speedups_2 ? ` (rounds: ${n.speedups_2.join(", ")})` : ""} |`,
    `| local pool, workers (what this machine allows) | ${n.local_pool_1_s} s | ${n.local_pool_2_s} s | ${n.local_speedup_2}× |`,
    `| queue, 1 process × 2 threads (\`--concurrency 2\`) | | ${n.one_process_2_threads_s} s | ${n.speedup_2_threads}× |`,
    '',
    `Queue time / local pool time: ${n.queue_1_over_local_1}× on 1 worker, ${n.queue_over_local}× on 2. With the diagnostics included, 1 worker process / 2: ${n.speedup_2_with_diagnostics}×. Where a 2-process run's time goes (from BullMQ's events as the caller hears them): first job started ${n.profile_two.to_first_start_ms} ms after the call, workers busy ${Math.round(100 * n.profile_two.worker_busy_share)} % of the span from the first start to the last end, the last chain's own run (the tail no balancing can shorten) ${n.profile_two.tail_ms} ms, results collected ${n.profile_two.collect_ms} ms after the last job ended.`,
    '',
    `Redis alone here (redis-benchmark, 50 clients): SET ${r.set ?? '–'}/s, GET ${r.get ?? '–'}/s, LPUSH ${r.lpush ?? '–'}/s, LPOP ${r.lpop ?? '–'}/s. BullMQ end to end (5,000 empty jobs added in bulk, taken and completed by a 50-way worker): **${r.bullmq_jobs_per_s} jobs/s**. See docs/DISTRIBUTED.md for what this means for 1,000 workers.`,
    '<!-- queue:end -->',
    '',
  ].join('\n');
}
