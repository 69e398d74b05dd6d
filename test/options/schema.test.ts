// The option schema: combinators, the up-front check, unknown names with the nearest valid one, flags.
import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { bool, checkArgument, enumOf, flagName, int, list, nearest, nested, num, required, schema, union, variants, type Infer } from '../../src/options/schema.js';

const s = schema('trainThing', {
  members: int({ min: 1, default: 5, help: 'members' }),
  lr: num({ gt: 0, max: 10, default: 1e-3, help: 'rate' }),
  kind: enumOf(['a', 'b'], { default: 'a', help: 'kind' }),
  on: bool({ default: true, help: 'switch' }),
  widths: list(int({ min: 1, help: '' }), { help: 'widths' }),
  rate: union(num({ gt: 0, lt: 1, help: '' }), list(num({ min: 0, lt: 1, help: '' }), { minItems: 1, help: '' }), { help: 'rate(s)' }),
});

function refusal(f: () => unknown): BdlError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BdlError);
    return e as BdlError;
  }
  throw new Error('accepted');
}

describe('option schemas', () => {
  it('type their options (Infer) and accept what they declare, undefined meaning omitted', () => {
    const o: Infer<typeof s> = { members: 3, lr: 0.1, kind: 'b', on: false, widths: [2, 3], rate: [0, 0.5] };
    // What was checked, as a frozen copy (test/options/snapshot.test.ts).
    expect(s.check(o)).toEqual(o);
    expect(s.check({ members: undefined })).toEqual({ members: undefined });
    expect(s.value({}, 'members')).toBe(5);
    expect(s.defaults()).toEqual({ members: 5, lr: 1e-3, kind: 'a', on: true });
    expect(s.resolved({ members: 2 })).toEqual({ members: 2, lr: 1e-3, kind: 'a', on: true });
  });

  it('refuse a bad value naming the option, what it accepts, what was found and what to do', () => {
    for (const [o, key] of [[{ members: 0 }, 'members'], [{ members: 1.5 }, 'members'], [{ lr: 0 }, 'lr'], [{ lr: NaN }, 'lr'], [{ lr: 'abc' }, 'lr'],
      [{ kind: 'c' }, 'kind'], [{ on: 'yes' }, 'on'], [{ widths: [0] }, 'widths'], [{ rate: 1 }, 'rate'], [{ rate: [] }, 'rate']] as const) {
      const e = refusal(() => s.check(o));
      expect(e.code).toBe('E_ARG');
      expect(e.argument).toBe(key);
      expect(e.message).toMatch(new RegExp(`^trainThing: ${key}: expected .+, found .+\\. .+`));
    }
    expect(refusal(() => s.check({ members: 0 })).message).toContain('Omit it for the default (5).');
  });

  it('refuse a sparse array: every item is checked, holes too ([, 2], new Array(3))', () => {
    // eslint-disable-next-line no-sparse-arrays
    for (const widths of [[, 2], new Array(3), Object.assign([1, 2], { 5: 3 })]) {
      const e = refusal(() => s.check({ widths }));
      expect(e.code).toBe('E_ARG');
      expect(e.argument).toBe('widths');
    }
    // eslint-disable-next-line no-sparse-arrays
    expect(refusal(() => s.check({ rate: [0.1, , 0.2] })).argument).toBe('rate');
    expect(s.check({ widths: [1, 2] })).toEqual({ widths: [1, 2] });
  });

  it('refuse an unknown name with the nearest valid one', () => {
    const e = refusal(() => s.check({ memebers: 2 }));
    expect(e.code).toBe('E_ARG');
    expect(e.argument).toBe('memebers');
    expect(e.message).toContain('Did you mean members?');
    expect(refusal(() => s.check({ zzzzzzzz: 1 })).message).not.toContain('Did you mean');
    expect(nearest('learningrate', ['learningRate', 'seed'])).toBe('learningRate');
    expect(refusal(() => s.check(5 as unknown as object)).code).toBe('E_ARG');
  });

  it('refuse names of Object.prototype members as unknown (found by the property test: { valueOf: 0 })', () => {
    for (const key of ['valueOf', 'toString', 'constructor', 'hasOwnProperty', '__proto__']) {
      const bag = JSON.parse(`{"${key}": 0}`) as object;
      const e = refusal(() => s.check(bag));
      expect(e.code).toBe('E_ARG');
      expect(e.argument).toBe(key);
      expect(e.message).toContain('unknown option');
    }
  });

  it('read command-line text strictly', () => {
    const f = s.fields;
    expect(f.members.fromText!('12')).toBe(12);
    for (const t of ['', '0x5', '1e1', ' 3', '3.0x']) expect(f.members.fromText!(t)).toBeUndefined();
    expect(f.lr.fromText!('1e-3')).toBe(1e-3);
    for (const t of ['', 'abc', '0x1', 'Infinity', '1e']) expect(f.lr.fromText!(t)).toBeUndefined();
    expect(f.widths.fromText!('50,20')).toEqual([50, 20]);
    expect(f.widths.fromText!('')).toBeUndefined();
    expect(f.widths.fromText!('50,')).toBeUndefined();
    expect(f.rate.fromText!('0.1')).toBe(0.1);
    expect(f.rate.fromText!('0,0.5')).toEqual([0, 0.5]);
    expect(flagName('lrSchedule', f.lr)).toBe('lr-schedule');
  });

  it('extend and omit', () => {
    const t = s.extend('trainOther', { members: int({ min: 2, default: 3, help: '' }) }).omit('trainOther', 'kind');
    expect(t.name).toBe('trainOther');
    expect(refusal(() => t.check({ members: 1 })).argument).toBe('members');
    expect(refusal(() => t.check({ kind: 'a' })).message).toContain('unknown option kind');
  });
});

// Required fields, options objects of their own (nested, variants, lists of them) and single arguments.
const inner = schema('inner', { rate: num({ gt: 0, lt: 1, default: 0.5, help: '' }), steps: required(int({ min: 1, help: '' })) });
const a = schema('a', { kind: enumOf(['a'] as const, { help: '' }), n: int({ min: 0, help: '' }) });
const b = schema('b', { kind: enumOf(['b'] as const, { help: '' }), x: required(num({ help: '' })) });
const deep = schema('thing', {
  sub: nested<Infer<typeof inner>>(inner, { help: '' }),
  pick: variants<Infer<typeof a> | Infer<typeof b>>('kind', { a, b }, { help: '' }),
  many: list(nested(inner, { help: '' }), { help: '' }),
  need: required(int({ min: 0, help: '' })),
});

describe('nested option schemas', () => {
  it('accept what they declare', () => {
    const o = { sub: { steps: 2 }, pick: { kind: 'b' as const, x: 1 }, many: [{ steps: 1, rate: 0.1 }], need: 0 };
    expect(deep.check(o)).toEqual(o);
    const typed: Infer<typeof deep> = o;
    expect(typed.need).toBe(0);
  });

  it('refuse a bad or missing value deep inside, naming its path, what it accepts, what was found and what to do', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ need: 1, sub: { steps: 2, rate: 1 } }, 'sub.rate', /^thing: sub\.rate: expected a finite number > 0 and < 1, found 1\. Omit it for the default \(0\.5\)\.$/],
      [{ need: 1, sub: { rate: 0.1 } }, 'sub.steps', /^thing: sub\.steps: expected an integer ≥ 1, found undefined\. Pass it/],
      [{ need: 1, sub: { steps: 1, stesp: 1 } }, 'sub.stesp', /unknown option sub\.stesp\. Did you mean sub\.steps\?/],
      [{ need: 1, pick: { kind: 'c' } }, 'pick.kind', /^thing: pick\.kind: expected 'a' \| 'b', found "c"/],
      [{ need: 1, pick: { kind: 'b' } }, 'pick.x', /pick\.x: expected a finite number, found undefined/],
      [{ need: 1, pick: { kind: 'a', x: 1 } }, 'pick.x', /unknown option pick\.x/],
      // A name that is not an identifier is quoted ("unknown option sub.." said nothing).
      [{ need: 1, sub: { steps: 1, '': [] } }, 'sub.', /unknown option sub\.""\. Known: sub\.rate, sub\.steps\.$/],
      [{ need: 1, 'a b': 1 }, 'a b', /unknown option "a b"\. Did you mean sub\? Known:/],
      [{ need: 1, many: [{ steps: 1 }, { steps: 0 }] }, 'many[1].steps', /many\[1\]\.steps: expected an integer ≥ 1, found 0/],
      [{ sub: { steps: 1 } }, 'need', /^thing: need: expected an integer ≥ 0, found undefined/],
      [{ need: 1, sub: [] }, 'sub', /sub: expected an options object of inner, found Array\(0\)/],
    ];
    for (const [o, arg, re] of cases) {
      const e = refusal(() => deep.check(o));
      expect(e.code).toBe('E_ARG');
      expect(e.argument).toBe(arg);
      expect(e.message).toMatch(re);
    }
    expect(refusal(() => deep.check(undefined)).message).toMatch(/^thing: expected an options object, found undefined\. Pass \{ … \} with need\.$/);
  });

  it('check a single argument as its field would', () => {
    const f = required(variants('kind', { a, b }, { help: '' }));
    expect(checkArgument(f, { kind: 'a', n: 2 }, 'run', 'target')).toEqual({ kind: 'a', n: 2 });
    const e = refusal(() => checkArgument(f, { kind: 'a', n: -1 }, 'run', 'target'));
    expect([e.code, e.argument, e.message]).toEqual(['E_ARG', 'target.n', expect.stringMatching(/^run: target\.n: expected an integer ≥ 0, found -1\./)]);
    expect(refusal(() => checkArgument(f, null, 'run', 'target')).argument).toBe('target');
  });

  it('refuse options that break a rule between them, after the fields, naming the option; extend keeps the rules, omit drops those it names', () => {
    const r = schema('trainThing', { rate: union(num({ gt: 0, lt: 1, help: '' }), list(num({ min: 0, lt: 1, help: '' }), { help: '' }), { help: '' }), spread: bool({ default: false, help: '' }) }).refine({
      option: 'spread',
      expected: 'a single rate to spread',
      hint: 'Drop spread.',
      holds: (o) => !(o.spread && Array.isArray(o.rate)),
      found: () => 'a per-layer array',
    });
    expect(r.check({ rate: [0.1], spread: false })).toEqual({ rate: [0.1], spread: false });
    expect(r.check({ rate: 0.1, spread: true })).toEqual({ rate: 0.1, spread: true });
    const e = refusal(() => r.check({ rate: [0.1], spread: true }));
    expect([e.code, e.argument, e.message]).toEqual(['E_ARG', 'spread', 'trainThing: spread: expected a single rate to spread, found a per-layer array. Drop spread.']);
    // A field's own check comes first.
    expect(refusal(() => r.check({ rate: [2], spread: true })).argument).toBe('rate');
    expect(refusal(() => r.extend('more', { n: int({ help: '' }) }).check({ rate: [0.1], spread: true })).argument).toBe('spread');
    expect(r.omit('less', 'spread').rules).toHaveLength(0);
    expect(refusal(() => r.check({ rate: [0.1], spread: true }, 'run', 'inner.')).argument).toBe('inner.spread');
  });
});
