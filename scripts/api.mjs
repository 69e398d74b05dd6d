// docs/API.md from the code: every name of each package entry (bdl-wasm and its subpaths), its kind
// and the first sentence of its doc comment, read by API Extractor from the emitted declarations.
// Usage (after `npm run build`): node scripts/api.mjs          writes docs/API.md
//                                node scripts/api.mjs --check  exits 1 when docs/API.md lists another surface
//                                (a name or kind added, removed or moved; summaries may differ)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CompilerState, Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const OUT = join(root, 'docs/API.md');

/** package.json "exports" → [subpath, emitted declaration of its source]. */
function entries() {
  // Entries with types only (./package.json is a file, not code); a one-line re-export is followed to its source.
  return Object.entries(pkg.exports).filter(([, e]) => typeof e === 'object' && e.types).map(([sub, { types }]) => {
    const text = readFileSync(join(root, types), 'utf8');
    const target = /^export \* from '\.\/(types\/[^']+)\.js';\s*$/.exec(text)?.[1];
    return [sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`, target ? join(root, 'dist', `${target}.d.ts`) : join(root, types)];
  });
}

/** API Extractor's configuration for one entry, its doc model written in scratch. */
function configFor(name, dts, scratch) {
  const apiJsonFilePath = join(scratch, `${name.replace(/\W/g, '_')}.api.json`);
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: dts,
      compiler: { overrideTsconfig: { compilerOptions: { lib: ['es2023', 'dom'], types: [], skipLibCheck: true } } },
      apiReport: { enabled: false },
      docModel: { enabled: true, apiJsonFilePath },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'none' } },
        extractorMessageReporting: { default: { logLevel: 'none' } },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    configObjectFullPath: join(root, 'api-extractor.json'),
    packageJsonFullPath: join(root, 'package.json'),
  });
  return { config, apiJsonFilePath };
}

/** The entry's members as API Extractor's doc model sees them. */
function members({ config, apiJsonFilePath }, compilerState) {
  const result = Extractor.invoke(config, { localBuild: true, compilerState, messageCallback: (m) => { m.handled = true; } });
  if (!result.succeeded) throw new Error(`API Extractor failed on ${config.mainEntryPointFilePath}`);
  const model = JSON.parse(readFileSync(apiJsonFilePath, 'utf8'));
  const byName = new Map();
  for (const m of model.members[0].members) {
    // A name that collides with a global (e.g. the DOM's ProgressEvent) comes back suffixed `_2`.
    m.name = m.name.replace(/_\d+$/, '');
    const prev = byName.get(m.name);
    // Overloads and declaration merging (a class and an interface, a value and a type) give one row.
    byName.set(m.name, { name: m.name, kind: prev && prev.kind !== m.kind ? `${prev.kind}, ${kindOf(m)}` : kindOf(m), summary: prev?.summary || summaryOf(m.docComment) });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function kindOf(m) {
  return { Class: 'class', Interface: 'interface', TypeAlias: 'type', Function: 'function', Variable: 'const', Enum: 'enum', Namespace: 'namespace' }[m.kind] ?? m.kind;
}

/** The first sentence of a doc comment, on one line. */
function summaryOf(doc = '') {
  const text = doc.trim().replace(/^\/\*\*|\*\/$/g, '').split('\n').map((l) => l.replace(/^\s*\*\s?/, '')).join(' ').replace(/\s+/g, ' ').trim();
  const cut = text.split(/(?<=\.)\s(?=[A-Z`(])|\s@/)[0] ?? '';
  return cut.replace(/\|/g, '\\|');
}

/** The surface a page lists: each entry's heading and each name with its kind (summaries left out). */
export function surface(page) {
  return page.split('\n').filter((l) => l.startsWith('## ') || l.startsWith('| `')).map((l) => l.split(' | ').slice(0, 2).join(' | ')).join('\n');
}

export function render() {
  const scratch = mkdtempSync(join(tmpdir(), 'bdl-api-'));
  try {
    const configs = entries().map(([name, dts]) => [name, configFor(name, dts, scratch)]);
    // Type-checking the declarations is most of the time: one TypeScript program, holding every
    // entry, serves all of them instead of one program per entry.
    const compilerState = CompilerState.create(configs[0][1].config, { additionalEntryPoints: configs.map(([, c]) => c.config.mainEntryPointFilePath) });
    const sections = configs.map(([name, c]) => [name, members(c, compilerState)]);
    const isType = (m) => ['interface', 'type'].includes(m.kind);
    const L = [
      '# API',
      '',
      '<!-- Generated by `npm run api` (scripts/api.mjs) from the built declarations: do not edit. A test fails when it is stale. -->',
      '',
      'Every name each entry of the package exports, with the first sentence of its doc comment. The top',
      'level is what a user calls; the subpaths hold the rest (docs/ARCHITECTURE.md, "The public surface").',
      '',
      '| entry | names | values | types |',
      '|---|---|---|---|',
      ...sections.map(([name, ms]) => `| \`${name}\` | ${ms.length} | ${ms.filter((m) => !isType(m)).length} | ${ms.filter(isType).length} |`),
    ];
    for (const [name, ms] of sections) {
      L.push('', `## \`${name}\``, '', '| name | kind | summary |', '|---|---|---|');
      for (const m of ms) L.push(`| \`${m.name}\` | ${m.kind} | ${m.summary} |`);
    }
    return L.join('\n') + '\n';
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const text = render();
  if (process.argv.includes('--check')) {
    let old = '';
    try { old = readFileSync(OUT, 'utf8'); } catch {}
    if (surface(old) !== surface(text)) {
      console.error('docs/API.md is stale: the public surface changed. Run `npm run api` and commit docs/API.md.');
      process.exit(1);
    }
    console.log('docs/API.md matches the code');
  } else {
    writeFileSync(OUT, text);
    console.log('wrote docs/API.md');
  }
}
