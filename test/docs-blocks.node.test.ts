// Every JavaScript/TypeScript block in README.md and docs/*.md compiles under `tsc --strict` against
// the packed package's own types (the tarball installed as `bdl-wasm` in a scratch project) and runs
// as written in Node. A block's info string says when it cannot run here:
//   ```js browser        type-checked (with the DOM types), not run: it needs a page
//   ```ts illustrative   neither: a fragment with names it does not define
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { transformSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { root, scratchProject } from './consumers/pack.js';

interface Block {
  readonly source: string;
  readonly line: number;
  readonly lang: 'js' | 'ts';
  readonly tags: readonly string[];
  readonly code: string;
  /** The file it is written to in the scratch project. */
  file: string;
}

const LANGS: Record<string, 'js' | 'ts'> = { js: 'js', javascript: 'js', mjs: 'js', ts: 'ts', typescript: 'ts' };
const TAGS = ['browser', 'illustrative'];

function blocksOf(path: string): Block[] {
  const text = readFileSync(path, 'utf8');
  const out: Block[] = [];
  for (const m of text.matchAll(/^( *)```(\w+)([^\n]*)\n([\s\S]*?)^\1```/gm)) {
    const lang = LANGS[m[2].toLowerCase()];
    if (!lang) continue;
    const tags = m[3].trim().split(/\s+/).filter(Boolean);
    const unknown = tags.filter((t) => !TAGS.includes(t));
    if (unknown.length) throw new Error(`${path}: unknown info-string tag(s) ${unknown.join(', ')} (known: ${TAGS.join(', ')})`);
    const code = m[4].replace(new RegExp(`^${m[1]}`, 'gm'), '');
    out.push({ source: relative(root, path), line: text.slice(0, m.index).split('\n').length, lang, tags, code, file: '' });
  }
  return out;
}

const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => join(root, 'docs', f));
const blocks = [join(root, 'README.md'), ...docs].flatMap(blocksOf);
const checked = blocks.filter((b) => !b.tags.includes('illustrative'));

let dir = '';
let diagnostics = '';

beforeAll(async () => {
  dir = await scratchProject('docs');
  checked.forEach((b, i) => {
    b.file = `block-${i}.${b.lang === 'ts' ? 'mts' : 'mjs'}`;
    writeFileSync(join(dir, b.file), `// ${b.source}:${b.line}\n${b.code}`);
  });
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, allowJs: true, checkJs: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext',
        lib: ['es2023', 'dom'], types: ['node'], typeRoots: [join(root, 'node_modules/@types')], skipLibCheck: false,
      },
      include: checked.map((b) => b.file),
    }),
  );
  const r = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
  diagnostics = r.stdout + r.stderr;
}, 120_000);

describe('code blocks in README.md and docs/', () => {
  it('there are some, and the README has a runnable quick start', () => {
    expect(blocks.some((b) => b.source === 'README.md' && !b.tags.length)).toBe(true);
  });

  it('the packed declarations compile and the scratch project is sound (no error outside the blocks)', () => {
    expect(diagnostics.split('\n').filter((l) => /error TS/.test(l) && !/^block-\d+\.m[jt]s\(/.test(l))).toEqual([]);
  });

  describe.each(checked.map((b) => [`${b.source}:${b.line} (${[b.lang, ...b.tags].join(' ')})`, b] as const))('%s', (_, b) => {
    it('type-checks with --strict against the packed types', () => {
      expect(diagnostics.split('\n').filter((l) => l.startsWith(b.file))).toEqual([]);
    });

    it.skipIf(b.tags.includes('browser'))('runs in Node as written', () => {
      let file = join(dir, b.file);
      if (b.lang === 'ts') {
        file = join(dir, b.file.replace(/\.mts$/, '.run.mjs'));
        writeFileSync(file, transformSync(b.code, { loader: 'ts', format: 'esm' }).code);
      }
      const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
    });
  });
});

