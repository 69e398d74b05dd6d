// Required fields, options objects of their own (nested, variants, lists of them) and single arguments.
import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { checkArgument, enumOf, int, list, nested, num, required, schema, variants, type Infer } from '../../src/options/schema.js';

const inner = schema('inner', { rate: num({ gt: 0, lt: 1, default: 0.5, help: '' }), steps: required(int({ min: 1, help: '' })) });
const a = schema('a', { kind: enumOf(['a'] as const, { help: '' }), n: int({ min: 0, help: '' }) });
const b = schema('b', { kind: enumOf(['b'] as const, { help: '' }), x: required(num({ help: '' })) });
const s = schema('thing', {
  sub: nested<Infer<typeof inner>>(inner, { help: '' }),
  pick: variants<Infer<typeof a> | Infer<typeof b>>('kind', { a, b }, { help: '' }),
  many: list(nested(inner, { help: '' }), { help: '' }),
  need: required(int({ min: 0, help: '' })),
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

describe('nested option schemas', () => {
  it('accept what they declare', () => {
    const o = { sub: { steps: 2 }, pick: { kind: 'b' as const, x: 1 }, many: [{ steps: 1, rate: 0.1 }], need: 0 };
    expect(s.check(o)).toBe(o);
    const typed: Infer<typeof s> = o;
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
      [{ need: 1, many: [{ steps: 1 }, { steps: 0 }] }, 'many[1].steps', /many\[1\]\.steps: expected an integer ≥ 1, found 0/],
      [{ sub: { steps: 1 } }, 'need', /^thing: need: expected an integer ≥ 0, found undefined/],
      [{ need: 1, sub: [] }, 'sub', /sub: expected an options object of inner, found Array\(0\)/],
    ];
    for (const [o, arg, re] of cases) {
      const e = refusal(() => s.check(o));
      expect(e.code).toBe('E_ARG');
      expect(e.argument).toBe(arg);
      expect(e.message).toMatch(re);
    }
    expect(refusal(() => s.check(undefined)).message).toMatch(/^thing: expected an options object, found undefined\. Pass \{ … \} with need\.$/);
  });

  it('check a single argument as its field would', () => {
    const f = required(variants('kind', { a, b }, { help: '' }));
    expect(checkArgument(f, { kind: 'a', n: 2 }, 'run', 'target')).toEqual({ kind: 'a', n: 2 });
    const e = refusal(() => checkArgument(f, { kind: 'a', n: -1 }, 'run', 'target'));
    expect([e.code, e.argument, e.message]).toEqual(['E_ARG', 'target.n', expect.stringMatching(/^run: target\.n: expected an integer ≥ 0, found -1\./)]);
    expect(refusal(() => checkArgument(f, null, 'run', 'target')).argument).toBe('target');
  });
});
