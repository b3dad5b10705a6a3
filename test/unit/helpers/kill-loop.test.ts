import { describe, expect, it } from 'vitest';
import { redeliveriesPerKill } from '../../helpers/kill-loop.ts';

/** Runs given as the uids each delivered, in order; the helper sees them as index ranges. */
function measure(deliveries: string[][]) {
  const all = deliveries.flat();
  let at = 0;
  const runs = deliveries.map((d): [number, number] => [at, (at += d.length)]);
  return redeliveriesPerKill(runs, (i) => all[i]!);
}

describe('redeliveriesPerKill: which kill caused a record to be delivered again', () => {
  it.each([
    { name: 'no kill, no repeat', runs: [['a', 'b']], perKill: [0], withinRuns: 0 },
    { name: 'the next run re-sends the page the killed run had in flight', runs: [['a', 'b'], ['b', 'c']], perKill: [1, 0], withinRuns: 0 },
    // A window the next run did not read keeps its page uncommitted: a later run re-sends it, and the first kill caused it.
    { name: 'a page left pending over a run counts against the kill that left it', runs: [['a', 'b'], ['c'], ['b', 'c2']], perKill: [1, 0, 0], withinRuns: 0 },
    // Re-sent, then killed again before the commit: each kill caused one re-delivery.
    { name: 'a page re-sent and cut off again counts once per kill', runs: [['a'], ['a'], ['a', 'b']], perKill: [1, 1, 0], withinRuns: 0 },
    { name: 'a retried export within one run is counted apart', runs: [['a', 'a', 'b'], ['b']], perKill: [1, 0], withinRuns: 1 },
  ])('$name', ({ runs, perKill, withinRuns }) => {
    expect(measure(runs)).toEqual({ perKill, withinRuns });
  });
});
