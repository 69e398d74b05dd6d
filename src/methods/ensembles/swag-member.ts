/**
 * 'swag-member': one SWAG run (a MultiSWAG member) in a worker. The task is
 * `{ kind: 'swag-member', spec, options: SwagRunOptions, seed, stream }` with run data `{ x, y }`
 * (original units); the result is the member's moments (`SwagMoments`, typed arrays), the same bits
 * as the in-thread `runSwagMember` call.
 */
import { runSwagMember, SWAG_RUN_OPTIONS, type SwagMoments, type SwagRunOptions } from './swag-moments.js';
import type { MlpSpec } from '../../model/spec.js';
import type { TaskContext } from '../../pool/types.js';
import { argError, describe } from '../../errors.js';

/** Runs the member described by `ctx.task` on the run's data. */
export async function runSwagMemberTask(ctx: TaskContext<MlpSpec, SwagRunOptions>): Promise<SwagMoments> {
  const { spec, seed, stream } = ctx.task;
  const options = SWAG_RUN_OPTIONS.parse(ctx.task.options, "'swag-member' task", 'options.');
  if (spec === undefined) throw argError('E_ARG', 'task.spec', 'the MlpSpec of the member', describe(spec), 'Pass the spec the method built.');
  const { x, y } = ctx.data;
  if (!(x instanceof Float32Array && y instanceof Float32Array)) throw argError('E_SHAPE', 'data', 'Float32Arrays x and y', `${describe(x)}, ${describe(y)}`, 'Pass the training set as run data { x, y }.');
  return runSwagMember(spec, options, seed, stream, { x, y }, {
    arena: await ctx.arena(),
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(p.epoch, p.epochs, { loss: p.loss }),
  });
}
