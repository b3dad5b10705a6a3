import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { ENV_VARS } from '../../../src/config/index.ts';
import { ROOT } from '../../helpers/receiver.ts';

/**
 * Every receiver variable (ASANA_*, and the OTEL_* ones the receiver reads) named in the deploy kit
 * and the docs is one the receiver knows: a misspelt name in an alert's advice or a manifest is a
 * setting that silently does nothing.
 */

/** Shell variables of the README's examples and the simulator's, not receiver settings. */
const NOT_SETTINGS = new Set(['ASANA_SERVICE_ACCOUNT_TOKEN']);
/** OTEL_* names that belong to the collector's own configuration (its ${env:…} references), not to the receiver. */
const COLLECTOR_VARS = new Set(['OTELCOL_QUEUE_DIR', 'OTEL_GATEWAY_ENDPOINT']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

it('the deploy kit, the docs and the README name only variables the receiver knows', () => {
  const known = new Set(ENV_VARS.map((v) => v.name as string));
  const scanned = [...files(join(ROOT, 'deploy')), ...files(join(ROOT, 'docs')), join(ROOT, 'compose.yaml'), join(ROOT, 'otel-config.yaml'), join(ROOT, 'README.md')];
  const unknown: string[] = [];
  for (const file of scanned) {
    const text = readFileSync(file, 'utf8');
    for (const [name] of text.matchAll(/\b(?:ASANA|OTEL)_[A-Z0-9_]*[A-Z0-9]\b/g)) {
      if (known.has(name) || NOT_SETTINGS.has(name) || COLLECTOR_VARS.has(name)) continue;
      unknown.push(`${relative(ROOT, file)}: ${name}`);
    }
  }
  expect([...new Set(unknown)]).toEqual([]);
});
