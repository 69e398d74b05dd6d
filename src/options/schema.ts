/**
 * Option schemas: one declaration per method gives its TypeScript type (`Infer`), its defaults and
 * ranges, the check every entry point runs before any work (unknown names refused with the nearest
 * valid one), the command line's flags and help lines, and the docs table (docs/OPTIONS.md).
 * Dependency-free so it loads in a browser with the core.
 */
import { BdlError, describe, isThenable } from '../errors.js';

/** One option: what it accepts, its default, and how it reads from a command-line flag. */
export interface Field<T> {
  readonly kind: 'int' | 'num' | 'enum' | 'bool' | 'list' | 'union' | 'text' | 'custom';
  /** One line for `--help` and docs/OPTIONS.md. */
  readonly help: string;
  /** The value used when the option is omitted, when it does not depend on the data. */
  readonly default?: T;
  /** How the default is chosen when it depends on the data or on other options. */
  readonly defaultText?: string;
  /** The flag's name (default: the option in kebab-case); false keeps the option API-only. */
  readonly flag?: string | false;
  /** What the check expects, for messages and docs: 'an integer ≥ 1'. */
  readonly expected: string;
  /** What to do about a bad value (default: omit it for the default). */
  readonly hint?: string;
  /** How a refused value is shown in its message (default: `describe`): a URL without its password. */
  show?(v: unknown): string;
  valid(v: unknown): v is T;
  /** The value a flag's text denotes, or undefined when the text is malformed; absent: no flag. */
  fromText?(s: string): T | undefined;
  /** Boolean fields are switches on the command line. */
  readonly switch?: boolean;
  /** The option must be given (`required(field)`). */
  readonly required?: boolean;
  /**
   * A deeper check of a value `valid` accepted (an options object of its own, a network spec), run
   * by Schema.check with the entry point and the option's path ('adapt.', 'target.') for messages.
   * What it returns, when not undefined, replaces the value in the checked snapshot (a nested
   * options object's own snapshot).
   */
  inner?(v: unknown, where: string, path: string): unknown;
}

interface Common<T> {
  help: string;
  default?: T;
  defaultText?: string;
  flag?: string | false;
  hint?: string;
}

const INT_TEXT = /^[+-]?\d+$/;
const NUM_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A bound as the docs read it: 1e18 rather than 1000000000000000000 (other numbers as written). */
const bound = (v: number): string => (Math.abs(v) >= 1e6 && /^1e\+\d+$/.test(v.toExponential()) ? v.toExponential().replace('+', '') : String(v));

/** An integer in [min, max]. */
export function int(o: Common<number> & { min?: number; max?: number }): Field<number> {
  const range = [o.min !== undefined && `≥ ${bound(o.min)}`, o.max !== undefined && `≤ ${bound(o.max)}`].filter(Boolean).join(' and ');
  const valid = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && !(o.min !== undefined && v < o.min) && !(o.max !== undefined && v > o.max);
  return { ...o, kind: 'int', expected: `an integer${range ? ' ' + range : ''}`, valid, fromText: (s) => (INT_TEXT.test(s) ? Number(s) : undefined) };
}

/** A finite number within the given bounds (`gt`/`lt` exclusive, `min`/`max` inclusive). */
export function num(o: Common<number> & { min?: number; max?: number; gt?: number; lt?: number }): Field<number> {
  const parts = [o.gt !== undefined && `> ${bound(o.gt)}`, o.min !== undefined && `≥ ${bound(o.min)}`, o.lt !== undefined && `< ${bound(o.lt)}`, o.max !== undefined && `≤ ${bound(o.max)}`].filter(Boolean);
  const valid = (v: unknown): v is number =>
    typeof v === 'number' && Number.isFinite(v) && !(o.gt !== undefined && !(v > o.gt)) && !(o.min !== undefined && v < o.min) && !(o.lt !== undefined && !(v < o.lt)) && !(o.max !== undefined && v > o.max);
  return { ...o, kind: 'num', expected: `a finite number${parts.length ? ' ' + parts.join(' and ') : ''}`, valid, fromText: (s) => (NUM_TEXT.test(s) ? Number(s) : undefined) };
}

/** One of a fixed set of strings. */
export function enumOf<const V extends string>(values: readonly V[], o: Common<V>): Field<V> {
  const valid = (v: unknown): v is V => typeof v === 'string' && (values as readonly string[]).includes(v);
  return { ...o, kind: 'enum', expected: values.map((v) => `'${v}'`).join(' | '), valid, fromText: (s) => (valid(s) ? s : undefined) };
}

/** true or false; a switch on the command line (`--no-x` for a default of true). */
export function bool(o: Common<boolean>): Field<boolean> {
  return { ...o, kind: 'bool', expected: 'true or false', valid: (v): v is boolean => typeof v === 'boolean', switch: true };
}

/** A non-empty string (a path, a column name). */
export function text(o: Common<string>): Field<string> {
  const valid = (v: unknown): v is string => typeof v === 'string' && v !== '';
  return { ...o, kind: 'text', expected: 'a non-empty string', valid, fromText: (s) => (s !== '' ? s : undefined) };
}

/** An array of `item`s; on the command line, comma-separated (at least one). */
export function list<T>(item: Field<T>, o: Common<T[]> & { minItems?: number }): Field<T[]> {
  const min = o.minItems ?? 0;
  // Index by index: `every` skips the holes of a sparse array ([, 50] or new Array(3)), which would pass unchecked.
  const valid = (v: unknown): v is T[] => {
    if (!Array.isArray(v) || v.length < min) return false;
    for (let i = 0; i < v.length; i++) if (!item.valid(v[i])) return false;
    return true;
  };
  return {
    ...o,
    kind: 'list',
    expected: `an array of ${min > 0 ? `at least ${min} ` : ''}values, each ${item.expected}`,
    valid,
    inner: item.inner && ((v, where, path) => Object.freeze((v as T[]).map((x, i) => item.inner!(x, where, `${path}[${i}]`) ?? x))),
    fromText: (s) => {
      const parts = s.split(',').map((p) => item.fromText?.(p.trim()));
      return s.trim() !== '' && parts.every((p) => p !== undefined && item.valid(p)) ? (parts as T[]) : undefined;
    },
  };
}

/** Either of two fields (e.g. a number or a per-layer array); a flag's text is read by the first that accepts it. */
export function union<A, B>(a: Field<A>, b: Field<B>, o: Common<A | B>): Field<A | B> {
  const valid = (v: unknown): v is A | B => a.valid(v) || b.valid(v);
  const fromText = a.fromText || b.fromText
    ? (s: string) => {
        for (const f of [a, b] as Field<A | B>[]) {
          const v = f.fromText?.(s);
          if (v !== undefined && f.valid(v)) return v;
        }
        return undefined;
      }
    : undefined;
  return { ...o, kind: 'union', expected: `${a.expected}, or ${b.expected}`, valid, fromText };
}

/** An API-only option (a function, a pool, a signal, a data set) with its own check. */
export function custom<T>(o: Common<T> & { expected: string; valid: (v: unknown) => boolean; inner?: Field<T>['inner']; show?: Field<T>['show'] }): Field<T> {
  return { ...o, kind: 'custom', flag: false, valid: o.valid as (v: unknown) => v is T };
}

/** A field that must be given: Schema.check refuses its absence, and Infer makes it non-optional. */
export function required<T>(f: Field<T>): Field<T> & { readonly required: true } {
  return { ...f, required: true, hint: f.hint ?? 'Pass it: it has no default.' };
}

// A Promise is refused here, so its message says so (a forgotten `await`), not that its tag is missing.
const isPlainObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) && !isThenable(v);

/** An options object of its own (a chain's `adapt`), checked field by field by `inner`: messages name the path, 'adapt.targetAccept'. */
export function nested<T>(inner: OptionSchema, o: Common<T> & { expected?: string }): Field<T> {
  return {
    ...o, kind: 'custom', flag: false, expected: o.expected ?? `an options object of ${inner.name}`, valid: isPlainObject as (v: unknown) => v is T,
    inner: (v, where, path) => inner.check(v, where, path + '.'),
  };
}

/**
 * One of several options objects told apart by a tag field (a kernel `{ type: 'nuts', … }` or
 * `{ type: 'hmc', … }`): the tag picks the schema that checks the object (each declares the tag too).
 */
export function variants<T>(tag: string, table: Readonly<Record<string, OptionSchema>>, o: Common<T> & { expected?: string }): Field<T> {
  const names = Object.keys(table);
  const tagField = required(enumOf(names, { help: '' }));
  return {
    ...o, kind: 'custom', flag: false, expected: o.expected ?? `{ ${tag}: ${tagField.expected}, … }`, valid: isPlainObject as (v: unknown) => v is T,
    inner: (v, where, path) => {
      const t = (v as Record<string, unknown>)[tag];
      if (!tagField.valid(t)) throw fieldError(`${where}: ${path}.${tag}`, tagField, describe(t), `${path}.${tag}`);
      // Each schema of the table declares the tag, so the snapshot it returns keeps the tag checked here.
      return table[t].check(v, where, path + '.');
    },
  };
}

export type Fields = Record<string, Field<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
type TypeOf<F> = F extends Field<infer T> ? T : never;
type RequiredKeys<F> = { [K in keyof F]: F[K] extends { readonly required: true } ? K : never }[keyof F];
/** The options type a schema declares: every field optional but the `required` ones. */
export type Infer<S> = S extends Schema<infer F> ? Flat<{ [K in Exclude<keyof F, RequiredKeys<F>>]?: TypeOf<F[K]> } & { [K in RequiredKeys<F>]: TypeOf<F[K]> }> : never;
type Flat<T> = { [K in keyof T]: T[K] };

/**
 * A rule between options that no single field can state (`inputDropout` only with a single rate,
 * `calibrate 'temperature'` only for classification): Schema.check refuses options where it does not
 * hold, after every field passed, with the standard message naming `option`.
 */
export interface Rule {
  /** The option the message names (the one to change). */
  readonly option: string;
  /** What the option must be, given the others: "'none' for a regression task". */
  readonly expected: string;
  /** What to do about it. */
  readonly hint: string;
  /** Whether the options (defined values already checked field by field) satisfy the rule. */
  holds(o: Readonly<Record<string, unknown>>): boolean;
  /** What was found, for the message (default: the option's value). */
  found?(o: Readonly<Record<string, unknown>>): string;
}

/** What a table of methods keeps of a schema, whatever its fields. */
export interface OptionSchema {
  readonly name: string;
  readonly fields: Readonly<Record<string, Field<unknown>>>;
  readonly rules: readonly Rule[];
  check<T>(opts: T, where?: string, path?: string): T;
  resolved(opts: Record<string, unknown>): Record<string, unknown>;
}

/** A method's options: check them, list their defaults, extend them. */
export class Schema<F extends Fields> implements OptionSchema {
  constructor(
    /** The entry point named in messages: 'trainEnsemble'. */
    readonly name: string,
    readonly fields: F,
    /** Rules between options, checked after the fields (see Rule). */
    readonly rules: readonly Rule[] = [],
  ) {}

  /** This schema plus more fields (a later field of the same name replaces the earlier), with its rules. */
  extend<G extends Fields>(name: string, more: G): Schema<Omit<F, keyof G> & G> {
    return new Schema(name, { ...this.fields, ...more } as Omit<F, keyof G> & G, this.rules);
  }

  /** This schema without some fields (and without the rules that name them). */
  omit<K extends keyof F & string>(name: string, ...keys: K[]): Schema<Omit<F, K>> {
    const fields = { ...this.fields };
    for (const k of keys) delete fields[k];
    return new Schema(name, fields as Omit<F, K>, this.rules.filter((r) => !(keys as string[]).includes(r.option)));
  }

  /** This schema plus rules between its options. */
  refine(...rules: Rule[]): Schema<F> {
    return new Schema(this.name, this.fields, [...this.rules, ...rules]);
  }

  /**
   * Checks every option before any work: each defined value against its field, every name against
   * the schema (an unknown name is refused with the nearest known one), and that the required ones
   * are given, then the rules between options. Returns a frozen snapshot of the options' own values
   * (lists copied, nested options objects snapshotted), which is what was checked: the entry point
   * reads only the snapshot, so nothing the caller holds (a Proxy, a later mutation) can answer the
   * method differently from the check. `path`: where these options sit in a larger object ('adapt.'),
   * for messages and the error's argument.
   */
  check<T>(opts: T, where = this.name, path = ''): T {
    const missing = Object.keys(this.fields).filter((k) => this.fields[k].required);
    if (opts === undefined && missing.length === 0) return opts;
    const label = path ? `${where}: ${path.slice(0, -1)}` : where;
    const argument = path ? path.slice(0, -1) : 'options';
    if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
      throw new BdlError('E_ARG', `${label}: expected an options object, found ${describe(opts)}. Pass { … }${missing.length ? ` with ${missing.join(', ')}` : ' or nothing'}.`, argument);
    }
    // Plain data only: an inherited value would be read by a method but never listed here.
    const proto: unknown = Object.getPrototypeOf(opts);
    if (proto !== null && Object.getPrototypeOf(proto) !== null) {
      const found = describe(opts);
      const inherits = /^an (instance|object)/.test(found);
      const what = inherits ? `${found}, whose inherited values would go unchecked. Pass an object literal: { ...opts } copies its own values` : `${found}. Pass an object literal { … }`;
      throw new BdlError('E_ARG', `${label}: expected a plain options object ({ … }), found ${what}.`, argument);
    }
    const o: Record<string, unknown> = {};
    for (const key of Reflect.ownKeys(opts as object)) {
      if (typeof key !== 'string') continue;
      // One read per option, through its descriptor: a Proxy's get trap is never asked.
      const d = Object.getOwnPropertyDescriptor(opts, key);
      if (!d) continue;
      if (!('value' in d)) throw new BdlError('E_ARG', `${where}: ${path}${key}: expected a value, found a getter, which would answer the check and the method apart. Pass the value itself ({ ${key}: … }).`, path + key);
      if (!d.enumerable) throw new BdlError('E_ARG', `${where}: ${path}${key}: expected an enumerable value, found a hidden (non-enumerable) property. Pass it as a plain property ({ ${key}: … }).`, path + key);
      let v: unknown = d.value;
      if (v !== undefined) {
        // Own fields only: a key like 'valueOf' or '__proto__' must not find Object.prototype's member.
        const f = Object.hasOwn(this.fields, key) ? this.fields[key] : undefined;
        if (!f) throw unknownOption(where, key, Object.keys(this.fields), path);
        // A list is copied once, index by index (holes read as undefined and are refused as before).
        if (Array.isArray(v) && f.kind !== 'custom') v = Object.freeze(Array.from({ length: (v as unknown[]).length }, (_, i) => (v as unknown[])[i]));
        if (!f.valid(v)) throw fieldError(`${where}: ${path}${key}`, f, (f.show ?? describe)(v), path + key);
        v = f.inner?.(v, where, path + key) ?? v;
      }
      o[key] = v;
    }
    for (const key of missing) {
      if (o[key] === undefined) throw fieldError(`${where}: ${path}${key}`, this.fields[key], 'undefined', path + key);
    }
    for (const r of this.rules) {
      if (!r.holds(o)) throw new BdlError('E_ARG', `${where}: ${path}${r.option}: expected ${r.expected}, found ${r.found ? r.found(o) : describe(o[r.option])}. ${r.hint}`, path + r.option);
    }
    return Object.freeze(o) as T;
  }

  /** Checks `opts` (see `check`) and gives them this schema's type. */
  parse(opts: unknown, where = this.name, path = ''): Infer<this> {
    return (this.check(opts, where, path) ?? {}) as Infer<this>;
  }

  /** An option's value, or its static default when omitted. */
  value<K extends keyof F & string>(opts: { [P in K]?: TypeOf<F[P]> }, key: K): TypeOf<F[K]> {
    return (opts[key] ?? this.fields[key].default) as TypeOf<F[K]>;
  }

  /** The static defaults (data-dependent ones are absent; see `defaultText`). */
  defaults(): Partial<Infer<this>> {
    const out: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(this.fields)) if (f.default !== undefined) out[k] = f.default;
    return out as Partial<Infer<this>>;
  }

  /** The options as run, for reports: the given values over the static defaults, JSON-safe fields only. */
  resolved(opts: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(this.fields)) {
      if (f.kind === 'custom') continue;
      const v = opts[k] ?? f.default;
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
}

/**
 * Checks an argument that is not part of an options object (sampleChains' target, a queue job's
 * task) as its field would be, and returns the value as checked (an options object's snapshot).
 */
export function checkArgument<T>(f: Field<T>, v: unknown, where: string, name: string): T {
  return (schema(where, { [name]: f }).check({ [name]: v }) as Record<string, unknown>)[name] as T;
}

/** Declares a schema: `schema('trainEnsemble', { members: int({ min: 1, default: 5, help }) })`. */
export function schema<F extends Fields>(name: string, fields: F): Schema<F> {
  return new Schema(name, fields);
}

/** The standard message: label, expected, found, what to do. */
export function fieldError(label: string, f: Field<unknown>, found: string, argument: string): BdlError {
  const hint = f.hint ?? (f.default !== undefined ? `Omit it for the default (${formatValue(f.default)}).` : f.defaultText ? `Omit it for the default (${f.defaultText}).` : 'Omit it to leave it unset.');
  return new BdlError('E_ARG', `${label}: expected ${f.expected}, found ${found}. ${hint}`, argument);
}

/** Refuses an unknown name, suggesting the nearest known one. */
export function unknownOption(where: string, key: string, known: string[], prefix = ''): BdlError {
  const near = nearest(key, known);
  // A name that is not an identifier ('', ' ', 'a b') is quoted: "unknown option pool.." said nothing.
  const shown = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  return new BdlError(
    'E_ARG',
    `${where}: unknown option ${prefix}${shown}.${near ? ` Did you mean ${prefix}${near}?` : ''} Known: ${known.map((k) => prefix + k).join(', ')}.`,
    prefix + key,
  );
}

/** The known name closest to `name` by edit distance, when close enough to be a likely typo. */
export function nearest(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** A default as the docs and messages show it. */
export function formatValue(v: unknown): string {
  return Array.isArray(v) ? `[${v.join(', ')}]` : typeof v === 'string' ? `'${v}'` : String(v);
}

/** The command-line flag of an option (undefined: API-only). */
export function flagName(key: string, f: Field<unknown>): string | undefined {
  if (f.flag === false || (!f.fromText && !f.switch)) return undefined;
  return f.flag ?? key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
