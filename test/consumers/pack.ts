// The packed package as users get it: `npm pack` once per content of what it ships (test files share
// the tarball through a directory keyed by the files' sizes and times, guarded by a mkdir lock), and
// an install of it into a scratch project by unpacking it into node_modules/bdl-wasm (the package
// bundles all it runs but BullMQ and ioredis, which only bdl-wasm/queue loads, so nothing is fetched).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(__dirname, '../..');

export interface Packed {
  readonly tarball: string;
  /** Packed (gzip) size in bytes. */
  readonly size: number;
  readonly unpackedSize: number;
  /** Paths inside the package, e.g. 'dist/index.js'. */
  readonly files: readonly string[];
}

function stamp(dir: string, h: ReturnType<typeof createHash>): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) stamp(p, h);
    else h.update(`${p}:${s.size}:${s.mtimeMs}\n`);
  }
}

function contentKey(): string {
  const h = createHash('sha1');
  for (const p of ['dist', 'bin', 'data']) stamp(join(root, p), h);
  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
    if (existsSync(join(root, f))) h.update(readFileSync(join(root, f)));
  }
  return h.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** How many wasm binaries a bundle embeds (each is base64 there, and "\0asm" is AGFzbQ in base64). */
export const wasmBinaries = (text: string): number => text.split('AGFzbQ').length - 1;

/** The tarball of the built package (run `npm run build` first), packed at most once per content. */
export async function packed(): Promise<Packed> {
  if (!existsSync(join(root, 'dist/index.js'))) throw new Error('dist/ is missing: run npm run build first.');
  const dir = join(tmpdir(), `bdl-wasm-pack-${contentKey()}`);
  const done = join(dir, 'packed.json');
  const lock = join(dir, 'lock');
  mkdirSync(dir, { recursive: true });
  for (let waited = 0; !existsSync(done); waited += 200) {
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is packing; a lock older than two minutes belongs to a killed run.
      if (waited > 120_000 || Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      await sleep(200);
      continue;
    }
    try {
      const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const [info] = JSON.parse(out) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
      const result: Packed = { tarball: join(dir, info.filename), size: info.size, unpackedSize: info.unpackedSize, files: info.files.map((f) => f.path) };
      writeFileSync(done, JSON.stringify(result));
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return JSON.parse(readFileSync(done, 'utf8')) as Packed;
}

/** A scratch project in a fresh temp directory with the tarball installed as node_modules/bdl-wasm. */
export async function scratchProject(prefix: string): Promise<string> {
  const { tarball } = await packed();
  const dir = mkdtempSync(join(tmpdir(), `bdl-${prefix}-`));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `scratch-${prefix}`, private: true, type: 'module' }));
  const unpack = join(dir, '.unpack');
  mkdirSync(unpack);
  execFileSync('tar', ['-xzf', tarball, '-C', unpack]);
  mkdirSync(join(dir, 'node_modules'));
  renameSync(join(unpack, 'package'), join(dir, 'node_modules/bdl-wasm'));
  rmSync(unpack, { recursive: true });
  return dir;
}
