import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../../src/config/index.ts';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every configuration variable with its default', () => {
    for (const v of ENV_VARS) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${v.name}\` |`));
      expect(row, `${v.name} has no row in the README's configuration table`).toBeDefined();
      if (v.required) expect(row).toContain('required');
      else if (v.default !== undefined) expect(row).toContain(`\`${v.default}\``);
    }
  });

  it('shows the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });
});
