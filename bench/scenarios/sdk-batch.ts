/**
 * The SDK's default path: the serial poller without its per-page flush, the BatchLogRecordProcessor
 * with its defaults (bench/baseline.ts --mode sdk-batch), on the CPU-bound backlog: records emitted
 * vs records the sink received. In run 1 also against a collector answering each export after
 * 50 ms, with the receiver on the same slow collector (backpressure, memory).
 */
import { fmt } from '../lib.ts';
import { m, pct, type Section } from '../report.ts';
import { check, log, rate, rssMb, runContender, UNLIMITED_RPM, type RunResult } from './contender.ts';

/** The slow collector of the SDK batch comparison: each export answered after this long. */
const SLOW_SINK_MS = 50;

export class SdkBatchScenario {
  private readonly sdkBatch: RunResult[] = [];
  private slow: { sdk: RunResult; receiver: RunResult } | undefined;

  /** `simArgs(run)`: the CPU-bound backlog of run `run`. */
  private readonly backlog: number;
  private readonly simArgs: (run: number) => string[];

  constructor(backlog: number, simArgs: (run: number) => string[]) {
    this.backlog = backlog;
    this.simArgs = simArgs;
  }

  async run(run: number): Promise<void> {
    const simArgs = this.simArgs(run);
    const r = await runContender('sdk-batch', { simArgs, rpm: UNLIMITED_RPM });
    this.sdkBatch.push(r);
    log(`run ${run} sdk-batch: emitted ${r.events}, received ${r.received}`);
    if (run !== 1) return;
    // A collector that takes 50 ms per export (a remote one): the SDK's queue overflows, the receiver slows down.
    const sdk = await runContender('sdk-batch', { simArgs, rpm: UNLIMITED_RPM, sinkDelayMs: SLOW_SINK_MS });
    const receiver = await runContender('receiver', { simArgs, rpm: UNLIMITED_RPM, sinkDelayMs: SLOW_SINK_MS });
    check(receiver, this.backlog, 'slow-collector/receiver');
    this.slow = { sdk, receiver };
    log(`run ${run} slow collector: sdk-batch received ${sdk.received} of ${sdk.events}; receiver ${receiver.distinct}, ${fmt(rssMb(receiver))} MB`);
  }

  /** `receiverRuns`: the CPU-bound receiver's runs on the same backlog (what it lost: nothing, or the run failed). */
  report(receiverRuns: RunResult[]): Section {
    const section: Section = {
      rows: [],
      targets: [],
      description: this.sdkBatch.length
        ? [`SDK default batch path: the baseline loop without the per-page flush, BatchLogRecordProcessor with its defaults, on the CPU-bound backlog; once more with a collector that answers each export after ${SLOW_SINK_MS} ms.`]
        : [],
    };
    const b = this.sdkBatch;
    if (b.length) {
      const dropped = (x: RunResult) => x.events - x.received;
      section.rows.push([
        'SDK default batch path',
        'records lost of those emitted',
        `${fmt(m(b, dropped))} of ${fmt(m(b, (x) => x.events))} (${pct(m(b, dropped), m(b, (x) => x.events))})`,
        receiverRuns.length ? `${fmt(m(receiverRuns, (x) => this.backlog - x.distinct))} of ${fmt(this.backlog)}` : '–',
        '',
      ]);
    }
    const slow = this.slow;
    if (slow) {
      section.rows.push([
        `SDK default batch path, collector answering in ${SLOW_SINK_MS} ms`,
        'records lost · receiver: peak RSS, events/s',
        `${fmt(slow.sdk.events - slow.sdk.received)} of ${fmt(slow.sdk.events)} (${pct(slow.sdk.events - slow.sdk.received, slow.sdk.events)})`,
        `${fmt(this.backlog - slow.receiver.distinct)} of ${fmt(this.backlog)} · ${fmt(rssMb(slow.receiver))} MB, ${fmt(rate(slow.receiver))}/s`,
        '',
      ]);
    }
    return section;
  }
}
