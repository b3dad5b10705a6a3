/**
 * How Prometheus names an OTLP metric it receives with `otlp.translation_strategy:
 * UnderscoreEscapingWithSuffixes` (its default): characters outside [a-zA-Z0-9_:] become `_`, the
 * unit is appended (annotations in braces dropped, `s` as `seconds`, `1` as `ratio` on gauges), and
 * monotonic sums get `_total`. https://prometheus.io/docs/guides/opentelemetry/
 */
const UNIT_WORDS: Readonly<Record<string, string>> = { s: 'seconds', ms: 'milliseconds', By: 'bytes', '%': 'percent' };

export function prometheusMetricName(name: string, unit: string, kind: 'gauge' | 'counter'): string {
  let out = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  const bare = unit.replace(/\{[^}]*\}/g, '').trim();
  const word = bare === '1' ? (kind === 'gauge' ? 'ratio' : '') : (UNIT_WORDS[bare] ?? bare.replace(/[^a-zA-Z0-9_:]/g, '_'));
  if (word !== '' && !out.endsWith(`_${word}`)) out += `_${word}`;
  if (kind === 'counter' && !out.endsWith('_total')) out += '_total';
  return out;
}

/** Attribute names become label names the same way. */
export function prometheusLabelName(attribute: string): string {
  return attribute.replace(/[^a-zA-Z0-9_]/g, '_');
}
