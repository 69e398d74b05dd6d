/** A small, strict command-line parser: `--name value`, `--name=value`, and boolean switches. */
import { BdlError } from '../errors.js';

export interface FlagSpec {
  /** 'string' takes a value; 'boolean' is a switch. */
  type: 'string' | 'boolean';
  help: string;
  default?: string;
}

export type Flags = Record<string, string | boolean | undefined>;

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>, command: string): { flags: Flags; rest: string[] } {
  const flags: Flags = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) {
      throw new BdlError('E_ARG', `bdl ${command}: unknown flag --${name}. Known: ${Object.keys(spec).map((k) => `--${k}`).join(', ')}. See bdl ${command} --help.`, name);
    }
    if (s.type === 'boolean') {
      flags[name] = true;
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) {
      throw new BdlError('E_ARG', `bdl ${command}: --${name} needs a value (${s.help}).`, name);
    }
    flags[name] = value;
  }
  for (const [k, s] of Object.entries(spec)) if (flags[k] === undefined && s.default !== undefined) flags[k] = s.default;
  return { flags, rest };
}

export function helpText(command: string, summary: string, spec: Record<string, FlagSpec>): string {
  const rows = Object.entries(spec).map(([k, s]) => {
    const left = `  --${k}${s.type === 'string' ? ' <value>' : ''}`;
    return `${left.padEnd(30)} ${s.help}${s.default !== undefined ? ` (default ${s.default})` : ''}`;
  });
  return `bdl ${command} — ${summary}\n\n${rows.join('\n')}\n`;
}

/** A number flag, with the flag named in the error. */
export function numberFlag(flags: Flags, name: string, opts: { integer?: boolean; min?: number } = {}): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min)) {
    throw new BdlError('E_ARG', `--${name}: expected ${opts.integer ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}, found ${JSON.stringify(v)}.`, name);
  }
  return n;
}
