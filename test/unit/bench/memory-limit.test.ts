import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPLOYMENT, memoryLimitMiB } from '../../../bench/scenarios/large.ts';

const ROOT = join(import.meta.dirname, '../../..');

describe('the memory limit the large-events benchmark checks against', () => {
  it('is the Kubernetes example\'s limit, the 512 MiB the README quotes', () => {
    expect(memoryLimitMiB(readFileSync(join(ROOT, DEPLOYMENT), 'utf8'))).toBe(512);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('512 MiB limit');
  });

  it.each([
    ['the limit, not the request', 'resources:\n  requests:\n    memory: 256Mi\n  limits:\n    memory: 768Mi\n', 768],
    ['limits before requests', 'resources:\n  limits:\n    memory: 1024Mi\n  requests:\n    memory: 256Mi\n', 1024],
  ])('%s', (_name, manifest, limit) => {
    expect(memoryLimitMiB(manifest)).toBe(limit);
  });

  it('names the manifest when it has no memory limit in MiB', () => {
    expect(() => memoryLimitMiB('resources:\n  requests:\n    memory: 256Mi\n')).toThrow(DEPLOYMENT);
    expect(() => memoryLimitMiB('resources:\n  limits:\n    memory: 1Gi\n')).toThrow(DEPLOYMENT);
  });
});
