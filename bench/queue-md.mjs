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
    `16 NUTS chains (BNN 1-20-1, 100 points, 150 + 150 iterations, tree depth ≤ 6), medians of 3 interleaved rounds: 1 worker process ${n.one_worker_s} s, 2 worker processes ${n.two_workers_s} s — **${n.speedup_2}×**; one process with 2 threads (\`--concurrency 2\`) ${n.one_process_2_threads_s} s (${n.speedup_2_threads}×); the local pool of 2 workers ${n.local_pool_2_s} s (queue / local ${n.queue_over_local}×).`,
    '',
    `Redis alone here (redis-benchmark, 50 clients): SET ${r.set ?? '–'}/s, GET ${r.get ?? '–'}/s, LPUSH ${r.lpush ?? '–'}/s, LPOP ${r.lpop ?? '–'}/s. BullMQ end to end (5,000 empty jobs added in bulk, taken and completed by a 50-way worker): **${r.bullmq_jobs_per_s} jobs/s**. See docs/DISTRIBUTED.md for what this means for 1,000 workers.`,
    '<!-- queue:end -->',
    '',
  ].join('\n');
}
