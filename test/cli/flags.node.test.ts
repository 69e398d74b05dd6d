// Strict command-line flags: each malformed flag exits 2 with the command's usage line, before any work,
// and writes nothing (issue 16.5; bad options and a missing --out directory, issue 16.4).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bdl, yachtFiles } from './helpers.js';

const { dir, train, test } = yachtFiles();
const out = join(dir, 'out.json');
const fit = (...flags: string[]) => bdl(['fit', '--method', 'map', '--train', train, '--test', test, '--epochs', '2', '--out', out, ...flags], 30_000);

function refused(r: ReturnType<typeof bdl>, pattern: RegExp, usage = /^usage: bdl fit /m) {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).toMatch(usage);
  expect(r.stdout).toBe('');
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(dir).sort()).toEqual(['test.txt', 'train.txt']);
}

describe('bdl flags', () => {
  it('--tune=false is refused (a switch takes no value), not read as --tune', () => refused(fit('--tune=false'), /--tune' does not take an argument/));
  it('a stray positional argument is refused', () => refused(fit('stray'), /Unexpected argument 'stray'/));
  it('--seed= (empty) is refused, not read as seed 0', () => refused(fit('--seed='), /--seed: expected an integer ≥ 0, found ""/));
  it('--epochs 0x5 is refused (decimal integers only)', () => refused(fit('--epochs', '0x5'), /--epochs: expected an integer ≥ 1, found "0x5"/));
  it("--hidden '' is refused, not read as a linear model", () => refused(fit('--hidden', ''), /--hidden: expected .*found ""/));
  it('an unknown flag is refused with the nearest valid one', () => refused(fit('--epoch', '3'), /unknown flag --epoch\. Did you mean --epochs\?/));
  it("another method's option is refused, naming the methods it belongs to", () => refused(fit('--members', '2'), /--members is not an option of --method map \(it is one of ensemble, multiswag\)/));
  it('an unknown method is refused with the nearest name', () => refused(bdl(['fit', '--method', 'ensembel', '--train', train, '--test', test]), /Did you mean ensemble\?/));
  it('values out of range are refused by the schema (learning rate, chains, dropout)', () => {
    refused(fit('--lr', '0'), /--lr: expected a finite number > 0/);
    refused(bdl(['fit', '--method', 'nuts', '--train', train, '--test', test, '--out', out, '--chains=-1'], 30_000), /--chains: expected an integer ≥ 1/);
    refused(bdl(['fit', '--method', 'mc-dropout', '--train', train, '--test', test, '--out', out, '--dropout', '1'], 30_000), /--dropout: expected/);
  });
  it('a missing --out directory is refused before training, naming the flag', () => refused(fit('--out', join(dir, 'no/such/dir/out.json')), /--out: expected a file in a writable directory/));
  it('a missing required flag', () => refused(bdl(['fit', '--method', 'map', '--test', test]), /--train is required/));
  it('bdl sample and bdl predict are as strict', () => {
    refused(bdl(['sample', '--target', 'x.mjs', '--draws', '1.5']), /--draws: expected an integer ≥ 1, found "1\.5"/, /^usage: bdl sample /m);
    refused(bdl(['predict', '--posterior', 'p.bdl', '--test', test, 'extra']), /Unexpected argument 'extra'/, /^usage: bdl predict /m);
    refused(bdl(['compare', '--time-limit', 'soon']), /--time-limit: expected a finite number ≥ 1/, /^usage: bdl compare /m);
  });
  it('bdl --version prints the package version; help lists a method’s own flags', () => {
    const v = bdl(['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const h = bdl(['fit', '--method', 'ensemble', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/--members <value>\s+independently seeded networks \(default 5\)/);
    expect(h.stdout).toMatch(/--no-revert-off-data/);
  });
});
