/**
 * The benchmark's report: each scenario contributes table rows and targets; this module turns them
 * into the table printed to stdout and the markdown of bench/results/latest.md.
 */
import { cpus } from 'node:os';
import { fmt, median } from './lib.ts';
import type { RunResult } from './scenarios/contender.ts';

/** What a scenario reports: rows of the table, targets met or not, a line on how it was run. */
export interface Section {
  /** [scenario, metric, serial SDK baseline, receiver, ratio] */
  rows: string[][];
  targets: Array<[string, boolean]>;
  /** Lines for the list above the table (markdown): how the scenario was run. */
  description: string[];
}

export const m = (xs: RunResult[], f: (r: RunResult) => number): number => median(xs.map(f));
/**
 * The median of the per-run ratios f(a)/f(b): each run's contenders ran back to back on the same
 * machine, so their ratio is what one run measures even when other load comes and goes between runs.
 */
export const paired = (a: RunResult[], b: RunResult[], f: (r: RunResult) => number): number => median(a.map((x, i) => f(x) / f(b[i] as RunResult)));
export const pct = (part: number, whole: number): string => `${fmt((part / whole) * 100, 1)}%`;

export function table(sections: Section[]): string {
  return [
    '| scenario | metric | serial SDK baseline | receiver | ratio |',
    '|---|---|---|---|---|',
    ...sections.flatMap((s) => s.rows).map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function targetLines(sections: Section[]): string {
  return sections
    .flatMap((s) => s.targets)
    .map(([t, ok]) => `- ${ok ? '✓' : '✗'} ${t}`)
    .join('\n');
}

/** The whole of bench/results/latest.md. */
export function markdown(sections: Section[], runs: number, tookMs: number, notes: string[]): string {
  const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
  const list = [...sections.flatMap((s) => s.description), ...notes].map((d) => `- ${d}`).join('\n');
  return `# Benchmark results

\`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpuModel}, Node ${process.version}.
Medians of ${runs} run(s) (ratios: the median of each run's ratio); the whole run took ${fmt(tookMs / 1000)} s.

${list}

${table(sections)}

Targets:
${targetLines(sections)}
`;
}
