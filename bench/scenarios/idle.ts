/**
 * Idle: `run` on a caught-up state with the default 30 s poll interval (bench/receiver.ts idle): the
 * CPU share of one core. Measured once, in the servers of a CPU-bound receiver run, with its state
 * file, once that run has caught up.
 */
import { built, fmt, startChild } from '../lib.ts';
import type { Section } from '../report.ts';
import { check, log, runContender, UNLIMITED_RPM } from './contender.ts';

const POLL_INTERVAL = '30s';

export class IdleScenario {
  private result: { idleMs: number; cpuMs: number } | undefined;

  private readonly idleMs: number;

  constructor(idleMs: number) {
    this.idleMs = idleMs;
  }

  /** Runs `run` with the caught-up receiver's environment; pass as the contender's `after`. */
  readonly after = async (env: Record<string, string>): Promise<void> => {
    const child = startChild(built('bench/receiver.ts'), ['idle', String(this.idleMs)], { ...env, ASANA_POLL_INTERVAL: POLL_INTERVAL });
    this.result = (await child.result) as { idleMs: number; cpuMs: number };
    log(`idle: ${fmt(this.result.cpuMs)} ms CPU over ${fmt(this.result.idleMs)} ms`);
  };

  /** Without the CPU-bound scenario: a receiver run of its own catches up on `backlog` events first. */
  async runAlone(simArgs: string[], backlog: number): Promise<void> {
    const r = await runContender('receiver', { simArgs, rpm: UNLIMITED_RPM, after: this.after });
    check(r, backlog, 'idle/receiver');
  }

  report(): Section {
    const section: Section = { rows: [], targets: [], description: [] };
    if (!this.result) return section;
    const share = (this.result.cpuMs / this.result.idleMs) * 100;
    section.rows.push(['Idle `run`', `CPU over ${fmt(this.result.idleMs / 1000)} s, caught up, ${POLL_INTERVAL} interval`, '', `${fmt(share, 3)}% of a core`, '']);
    section.targets.push([`Idle run: < 1% of a core (${fmt(share, 3)}%)`, share < 1]);
    return section;
  }
}
