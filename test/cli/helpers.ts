// Running the built `bdl` as a user does: a child process with a timeout, in a scratch directory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(__dirname, '../..');
export const cli = join(root, 'bin/bdl.js');

/** Runs `bdl args…` to the end (killed after `timeout` ms; `status` is then null, failing the caller's exit-code check). */
export function bdl(args: string[], timeout = 120_000) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout });
}

/** A scratch directory with yacht's rows split 9:1 into train.txt and test.txt (target last). */
export function yachtFiles(): { dir: string; train: string; test: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bdl-cli-'));
  const lines = readFileSync(join(root, 'data/uci/yacht.txt'), 'utf8').trim().split('\n');
  const train = join(dir, 'train.txt');
  const test = join(dir, 'test.txt');
  writeFileSync(train, lines.filter((_, i) => i % 10 !== 0).join('\n'));
  writeFileSync(test, lines.filter((_, i) => i % 10 === 0).join('\n'));
  return { dir, train, test };
}
