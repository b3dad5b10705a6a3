/**
 * Latency-bound: 150 ms per API call and Asana's budget of 1,500 requests/min (the simulator enforces
 * it over 60 s and over 1 s windows), once per history shape (src/simulator/history.ts) over 88 days,
 * a first run from 88 days + 1 h ago: even; dense-recent (90% of the events in the last day); burst
 * (80% within one hour in the middle). Wall time, share of the budget used, 429s drawn, and the
 * physical limit: how much faster than the serial poller the budget allows at all (its requests at
 * the full budget vs its wall time). Peak RSS at Asana's ceiling: the receiver with the container
 * image's environment on every shape, and on the first shape once more started without its malloc
 * settings, as a user outside the container starts it (it restarts itself with them).
 */
import { fmt, median } from '../lib.ts';
import { m, paired, type Section } from '../report.ts';
import { check, log, rssMb, runContender, type RunResult } from './contender.ts';

type LatencyWho = 'baseline' | 'receiver' | 'receiver-outside';

/** Asana: 1500 requests per minute per token on paid plans. */
const ASANA_RPM = 1500;
const LATENCY_MS = 150;
/** The latency-bound histories span 88 days: a first run reads nearly all of Asana's 90-day retention. */
const SHAPE_SPAN_MS = 88 * 86_400_000;
/** Peak RSS target in every scenario, and what the receiver aims for at Asana's ceiling. */
const RSS_TARGET_MB = 128;
const RSS_AIM_MB = 96;

export class LatencyScenario {
  private readonly results: Record<string, Record<LatencyWho, RunResult[]>>;

  private readonly backlog: number;
  private readonly shapes: string[];

  constructor(backlog: number, shapes: string[]) {
    this.backlog = backlog;
    this.shapes = shapes;
    this.results = Object.fromEntries(shapes.map((shape) => [shape, { baseline: [], receiver: [], 'receiver-outside': [] }]));
  }

  async run(run: number, flip: <T>(xs: T[]) => T[]): Promise<void> {
    for (const [i, shape] of this.shapes.entries()) {
      const contenders: LatencyWho[] = i === 0 ? ['baseline', 'receiver', 'receiver-outside'] : ['baseline', 'receiver'];
      for (const who of flip(contenders)) {
        const r = await runContender(who, {
          simArgs: ['--backlog', String(this.backlog), '--span', String(SHAPE_SPAN_MS), '--shape', shape, '--seed', String(run), '--latency', String(LATENCY_MS), '--rpm', String(ASANA_RPM), '--burst'],
          spanMs: SHAPE_SPAN_MS,
          rpm: ASANA_RPM,
        });
        check(r, this.backlog, `latency/${shape}/${who}`);
        this.results[shape]![who].push(r);
        log(`run ${run} latency ${shape} ${who}: ${fmt(r.wallMs / 1000, 1)} s, ${r.requests} requests, ${r.rateLimited} 429s, ${fmt(rssMb(r))} MB`);
      }
    }
  }

  report(): Section {
    const section: Section = {
      rows: [],
      targets: [],
      description: [
        `Latency-bound: ${fmt(this.backlog)} events over 88 days (a first run from 88 days + 1 h ago), per history shape: even; dense-recent (90% in the last day); burst (80% within one hour in the middle). ${LATENCY_MS} ms per API call, ${ASANA_RPM} requests/min enforced by the simulator (60 s and 1 s windows). Physical limit: the serial poller's requests at the full budget, against its wall time. Peak RSS: the receiver with the container image's malloc settings, and on the first shape once more started without them (outside the container: the receiver restarts itself with them, src/malloc-env.ts).`,
      ],
    };
    for (const [shape, { baseline: b, receiver: r, 'receiver-outside': o }] of Object.entries(this.results)) {
      if (!r.length || !b.length) continue;
      const wall = (x: RunResult) => x.wallMs / 1000;
      const share = (x: RunResult) => ((x.requests ?? 0) / ((x.wallMs / 60_000) * ASANA_RPM)) * 100;
      const drawn = (xs: RunResult[]) => Math.max(...xs.map((x) => x.rateLimited ?? 0));
      // The serial poller's requests at the full budget: no reader of this history can be faster.
      const budgetBound = (x: RunResult) => ((x.requests ?? 0) / ASANA_RPM) * 60;
      const limit = median(b.map((x) => wall(x) / budgetBound(x)));
      const faster = paired(b, r, wall);
      const name = `Latency-bound, ${shape}`;
      section.rows.push([name, 'wall time (s)', fmt(m(b, wall), 1), fmt(m(r, wall), 1), `${fmt(faster, 2)}× faster`]);
      section.rows.push([name, 'share of the request budget used', `${fmt(m(b, share))}%`, `${fmt(m(r, share))}%`, '']);
      section.rows.push([name, '429s drawn (most in one run)', fmt(drawn(b)), fmt(drawn(r)), '']);
      section.rows.push([name, 'physical limit: budget-bound time (s)', fmt(m(b, budgetBound), 1), '', `${fmt(limit, 2)}× at most`]);
      const peak = (xs: RunResult[]) => Math.max(...xs.map(rssMb));
      const rss = peak(r);
      section.rows.push([name, 'peak RSS (MB, most in one run)', fmt(peak(b)), fmt(rss), '']);
      if (o.length) section.rows.push([`${name}, receiver started without the malloc settings (outside the container)`, 'peak RSS (MB, most in one run)', '', fmt(peak(o)), '']);
      section.targets.push([`${name}: receiver ≥ 3× faster (${fmt(faster, 2)}×; the budget allows ${fmt(limit, 2)}×)`, faster >= 3]);
      section.targets.push([`${name}: receiver uses ≥ 85% of the budget (${fmt(m(r, share))}%)`, m(r, share) >= 85]);
      section.targets.push([`${name}: receiver draws ≤ 3 429s (${drawn(r)})`, drawn(r) <= 3]);
      section.targets.push([`${name}: receiver peak RSS < ${RSS_TARGET_MB} MB at Asana's ceiling (most in one run: ${fmt(rss)} MB)`, rss < RSS_TARGET_MB]);
      if (o.length) {
        const outside = peak(o);
        section.targets.push([`${name}: receiver peak RSS < ${RSS_TARGET_MB} MB at Asana's ceiling started without the malloc settings, as outside the container (most in one run: ${fmt(outside)} MB)`, outside < RSS_TARGET_MB]);
        section.targets.push([`${name}: aim, receiver peak RSS < ${RSS_AIM_MB} MB at Asana's ceiling (most in one run: ${fmt(rss)} MB; started without the malloc settings ${fmt(outside)} MB)`, Math.max(rss, outside) < RSS_AIM_MB]);
      }
    }
    return section;
  }
}
