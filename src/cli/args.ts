/**
 * Strict command-line flags: node:util `parseArgs` in strict mode (no positionals, no unknown flags,
 * no value on a switch), each value converted and checked by the option schema's field, so a flag
 * means exactly what the API option means. Every malformed flag is a UsageError: exit 2 with the
 * command's usage line, before any work.
 */
import { parseArgs as nodeParseArgs } from 'node:util';
import { BdlError } from '../errors.js';
import { bool, fieldError, flagName, formatValue, nearest, text, type Field } from '../options/schema.js';

/** A command's one-line usage, printed with every usage error. */
export interface Usage {
  command: string;
  line: string;
}

/** A malformed command line: exit code 2 and the usage line. */
export class UsageError extends BdlError {
  constructor(
    message: string,
    readonly usage: Usage,
    argument?: string,
  ) {
    super('E_ARG', message, argument);
    this.name = 'UsageError';
  }
}

/** A flag: the option key it sets, the field that reads it, and the group its help line is listed in. */
/** `--debug`, which every command takes. */
export const DEBUG_FIELD = bool({ default: false, help: 'print stack traces' });
/** `--help`, which every command takes. */
export const HELP_FIELD = bool({ default: false, help: 'this text' });
/** `--out` of the commands that write one JSON document (standard output without it). */
export const JSON_OUT_FIELD = text({ help: 'write the JSON here (default: standard output)' });

export interface Flag {
  key: string;
  field: Field<unknown>;
  group: string;
}
export type FlagTable = Record<string, Flag>;

/** The flags of a schema's fields (API-only fields have none). */
export function flagsOf(fields: Readonly<Record<string, Field<unknown>>>, group: string, skip: readonly string[] = []): FlagTable {
  const out: FlagTable = {};
  for (const [key, field] of Object.entries(fields)) {
    const name = flagName(key, field);
    if (name !== undefined && !skip.includes(key)) out[name] = { key, field, group };
  }
  return out;
}

/**
 * Parses `argv` strictly against `table`: flag name → checked value, for the flags given. With
 * `values: false` the names are checked and the values kept as given (text, or true for a switch):
 * what a first pass over several tables' flags needs, where one name may mean different fields.
 */
export function parseFlags(argv: readonly string[], table: FlagTable, usage: Usage, opts: { values?: boolean } = {}): Map<string, unknown> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, f] of Object.entries(table)) options[name] = { type: f.field.switch ? 'boolean' : 'string' };
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: [...argv], options, strict: true, allowPositionals: false, allowNegative: true, tokens: true });
  } catch (e) {
    throw new UsageError(parseMessage(e as Error & { code?: string }, Object.keys(table), usage), usage);
  }
  // parseArgs keeps the last of a repeated flag: the earlier value would be dropped in silence.
  const seen = new Map<string, string>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option') continue;
    const shown = t.value === undefined ? t.rawName : `${t.rawName} ${t.value}`;
    const before = seen.get(t.name);
    if (before !== undefined) throw new UsageError(`bdl ${usage.command}: --${t.name}: expected once, found ${before} and ${shown}. Give the flag once.`, usage, t.name);
    seen.set(t.name, shown);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const out = new Map<string, unknown>();
  for (const [name, raw] of Object.entries(values)) {
    if (raw === undefined) continue;
    if (opts.values === false) {
      out.set(name, raw);
      continue;
    }
    const { field } = table[name];
    const v = typeof raw === 'boolean' ? raw : field.fromText?.(raw);
    if (v === undefined || !field.valid(v)) throw new UsageError(`bdl ${usage.command}: ${fieldError(`--${name}`, field, JSON.stringify(raw), name).message}`, usage, name);
    out.set(name, v);
  }
  return out;
}

function parseMessage(e: Error & { code?: string }, known: string[], usage: Usage): string {
  const unknown = /Unknown option '--?([^']+)'/.exec(e.message)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    const near = nearest(unknown, known);
    return `bdl ${usage.command}: unknown flag --${unknown}.${near ? ` Did you mean --${near}?` : ''} See bdl ${usage.command} --help.`;
  }
  return `bdl ${usage.command}: ${e.message.replace(/\n/g, ' ')}`;
}

/** The options a set of parsed flags gives: option key → value, for the flags of `group`s given. */
export function optionsOf(parsed: Map<string, unknown>, table: FlagTable, groups: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of parsed) if (groups.includes(table[name].group)) out[table[name].key] = v;
  return out;
}

/** The help lines of a flag table, one group after another. */
export function helpLines(table: FlagTable, groups: readonly string[]): string {
  const rows: string[] = [];
  for (const g of groups) {
    const flags = Object.entries(table).filter(([, f]) => f.group === g);
    if (!flags.length) continue;
    rows.push('', `${g}:`);
    for (const [name, { field }] of flags) {
      const negated = field.switch && field.default === true;
      const left = `  --${negated ? 'no-' : ''}${name}${field.switch ? '' : ' <value>'}`;
      const def = field.switch ? '' : field.default !== undefined ? ` (default ${formatValue(field.default)})` : field.defaultText ? ` (default: ${field.defaultText})` : '';
      rows.push(`${left.padEnd(30)} ${negated ? `don't: ${field.help}` : field.help}${def}`);
    }
  }
  return rows.join('\n');
}
