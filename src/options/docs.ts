/**
 * The options reference (docs/OPTIONS.md), generated from the schemas: the options every method
 * shares, then each method's own. test/options/docs.node.test.ts checks the committed file is current.
 */
import { flagName, formatValue, type Field, type Rule } from './schema.js';

type Fields = Readonly<Record<string, Field<unknown>>>;

function table(fields: Fields, keys: string[]): string {
  const rows = keys.map((k) => {
    const f = fields[k];
    const flag = flagName(k, f);
    const def = f.default !== undefined ? `\`${formatValue(f.default)}\`` : f.required ? 'required' : (f.defaultText ?? '—');
    const cell = (t: string) => t.replace(/\|/g, '\\|');
    return `| \`${k}\` | ${flag ? `\`--${f.switch && f.default === true ? 'no-' : ''}${flag}\`` : 'API only'} | ${cell(f.expected)} | ${cell(def)} | ${cell(f.help)} |`;
  });
  return ['| option | flag | accepts | default | what it does |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The markdown reference for a shared schema and a table of methods. */
export function optionsMarkdown(shared: Fields, methods: Record<string, { summary: string; options: { name: string; fields: Fields; rules?: readonly Rule[] } }>): string {
  const rulesOf = (m: { options: { rules?: readonly Rule[] } }) => m.options.rules ?? [];
  const entries = Object.values(methods);
  // A rule every method carries (calibrate's) is listed once, with the shared options.
  const everywhere = entries.length ? rulesOf(entries[0]).filter((r) => entries.every((m) => rulesOf(m).includes(r))) : [];
  const between = (rules: readonly Rule[], title: string) => (rules.length ? ['', title, '', ...rules.map((r) => `- \`${r.option}\`: ${r.expected}. ${r.hint}`)] : []);
  const out = [
    '# Options',
    '',
    '<!-- Generated from the option schemas (src/options/docs.ts); regenerate with `BDL_WRITE_DOCS=1 npx vitest run --project node test/options/docs.node.test.ts`. -->',
    '',
    'Every method takes an options object; the `bdl fit` flag of each option is listed beside it. Options are checked',
    'before any work: a value out of range, or an unknown name, is refused with `E_ARG` naming the option, what it',
    'accepts, what was found and what to do (an unknown name with the nearest valid one).',
    '',
    '## Shared by every method',
    '',
    table(shared, Object.keys(shared)),
    ...between(everywhere, 'Between options, in every method:'),
  ];
  for (const [name, m] of Object.entries(methods)) {
    const own = Object.keys(m.options.fields).filter((k) => m.options.fields[k] !== shared[k]);
    out.push('', `## ${name} (\`${m.options.name}\`)`, '', m.summary, '');
    out.push(own.length ? table(m.options.fields, own) : 'No options of its own.');
    out.push(...between(rulesOf(m).filter((r) => !everywhere.includes(r)), 'Between options:'));
  }
  return out.join('\n') + '\n';
}
