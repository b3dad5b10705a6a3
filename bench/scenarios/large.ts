/**
 * Large events: `once` over a backlog of huge audit events (bench/large-asana.ts: 1,500 events of
 * 200 KB, then of 400 KB, over 6 days, so the receiver reads several backfill windows at once).
 * Peak RSS of the receiver (its process.resourceUsage().maxRSS) and whether every event arrived
 * (distinct log.record.uid values at the sink), against the memory limit of the Kubernetes example
 * (deploy/kubernetes/deployment.yaml, quoted in the README), read from that file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, ROOT } from '../lib.ts';
import { m, type Section } from '../report.ts';
import { log, rate, rssMb, runContender, UNLIMITED_RPM, type RunResult } from './contender.ts';

const SPAN_MS = 6 * 86_400_000;
export const DEPLOYMENT = 'deploy/kubernetes/deployment.yaml';

/** The container memory limit (MiB) of a Kubernetes manifest: `limits:` followed by `memory: <n>Mi`. */
export function memoryLimitMiB(manifest: string): number {
  const found = /limits:\s*\n\s*memory:\s*(\d+)Mi\b/.exec(manifest);
  if (!found) throw new Error(`${DEPLOYMENT}: no "limits: memory: <n>Mi" found`);
  return Number(found[1]);
}

export class LargeScenario {
  private readonly results = new Map<number, RunResult[]>();
  private readonly limitMiB = memoryLimitMiB(readFileSync(join(ROOT, DEPLOYMENT), 'utf8'));

  /** `eventKbs`: the event sizes, one backlog each. */
  private readonly events: number;
  private readonly eventKbs: number[];

  constructor(events: number, eventKbs: number[]) {
    this.events = events;
    this.eventKbs = eventKbs;
    for (const kb of eventKbs) this.results.set(kb, []);
  }

  async run(run: number): Promise<void> {
    for (const kb of this.eventKbs) {
      const r = await runContender('receiver', {
        asana: 'bench/large-asana.ts',
        simArgs: ['--events', String(this.events), '--event-bytes', String(kb * 1000), '--span', String(SPAN_MS)],
        spanMs: SPAN_MS,
        rpm: UNLIMITED_RPM,
      });
      this.results.get(kb)!.push(r);
      log(`run ${run} large ${kb} KB receiver: ${r.distinct} of ${this.events} arrived, ${fmt(rssMb(r))} MB peak RSS, ${fmt(r.wallMs / 1000, 1)} s`);
    }
  }

  report(): Section {
    const section: Section = { rows: [], targets: [], description: [] };
    for (const [kb, rs] of this.results) {
      if (!rs.length) continue;
      const name = `Large events, ${fmt(this.events)} × ${kb} KB`;
      const maxRss = Math.max(...rs.map(rssMb));
      const fewest = Math.min(...rs.map((r) => r.distinct));
      section.rows.push([name, 'receiver: peak RSS (MiB, most in one run) · events arrived (fewest) · events/s', '', `${fmt(maxRss)} · ${fmt(fewest)} of ${fmt(this.events)} · ${fmt(m(rs, rate))}/s`, '']);
      section.targets.push([`${name}: every event arrived (fewest in one run: ${fmt(fewest)} of ${fmt(this.events)})`, fewest === this.events]);
      section.targets.push([`${name}: receiver peak RSS < ${this.limitMiB} MiB, the Kubernetes example's limit (${DEPLOYMENT}) (most in one run: ${fmt(maxRss)} MiB)`, maxRss < this.limitMiB]);
    }
    if (section.rows.length) {
      section.description.push(`Large events: ${fmt(this.events)} audit events of ${this.eventKbs.map((kb) => `${kb} KB`).join(', then of ')} (one \`details\` string each) over 6 days (bench/large-asana.ts), receiver only; peak RSS against the Kubernetes example's memory limit of ${this.limitMiB} MiB.`);
    }
    return section;
  }
}
