// docs/OPTIONS.md is generated from the schemas and must match them (regenerate with BDL_WRITE_DOCS=1).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METHOD_OPTIONS } from '../../src/methods/common.js';
import { METHODS } from '../../src/methods/registry.js';
import { optionsMarkdown } from '../../src/options/docs.js';

const file = join(resolve(__dirname, '../..'), 'docs/OPTIONS.md');

describe('docs/OPTIONS.md', () => {
  it('is the table the option schemas generate', () => {
    const md = optionsMarkdown(METHOD_OPTIONS.fields, METHODS);
    if (process.env.BDL_WRITE_DOCS) writeFileSync(file, md);
    expect(readFileSync(file, 'utf8'), 'regenerate: BDL_WRITE_DOCS=1 npx vitest run --project node test/options/docs.node.test.ts').toBe(md);
    for (const name of Object.keys(METHODS)) expect(md).toContain(`## ${name} `);
  });
});
