/**
 * The shared set-up of the integration tests: a simulated Asana domain over real HTTP, a loopback
 * OTLP collector that decodes what arrives, and a fresh state file in a temp folder. Each test owns
 * its servers (port 0) and closes them.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Config } from '../../src/config/index.ts';
import { AsanaSimulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { startOtlpCollector, type OtlpCollector, type OtlpCollectorOptions } from './otlp-collector.ts';
import { configFor, envFor, tempStateFile } from './receiver.ts';

export interface TestPipeline {
  readonly sim: AsanaSimulator;
  readonly collector: OtlpCollector;
  readonly stateFile: string;
  /** The environment a user would set for this pipeline (receiver.ts envFor), with `extra` on top. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** That environment loaded as the receiver's Config. */
  config(extra?: Record<string, string>): Config;
  /** Closes the simulator and starts another with `options` in its place (a different Asana domain). */
  replaceSim(options?: SimulatorOptions): Promise<AsanaSimulator>;
  close(): Promise<void>;
}

export interface PipelineOptions {
  sim?: SimulatorOptions;
  collector?: OtlpCollectorOptions;
}

/** Starts a simulator and a collector and makes a temp state file; `close` stops both. */
export async function startPipeline(options: PipelineOptions = {}): Promise<TestPipeline> {
  let sim = await AsanaSimulator.start(options.sim);
  let collector: OtlpCollector;
  try {
    collector = await startOtlpCollector(options.collector);
  } catch (error) {
    await sim.close();
    throw error;
  }
  const stateFile = await tempStateFile();
  return {
    get sim() {
      return sim;
    },
    collector,
    stateFile,
    env: (extra = {}) => envFor(sim, collector, stateFile, extra),
    config: (extra = {}) => configFor(sim, collector, stateFile, extra),
    replaceSim: async (next) => {
      await sim.close();
      sim = await AsanaSimulator.start(next);
      return sim;
    },
    close: async () => {
      await Promise.allSettled([sim.close(), collector.close()]);
    },
  };
}

/** A test pipeline that a test starts itself, choosing its simulator: `start` first, then the rest. */
export interface StartableTestPipeline extends TestPipeline {
  start(options?: PipelineOptions): Promise<TestPipeline>;
}

/**
 * A fresh pipeline for every test of the enclosing `describe` (or file): started before each test
 * with `options`, closed after it. The handle always reads the current test's pipeline.
 */
export function usePipeline(options: PipelineOptions | (() => PipelineOptions) = {}): TestPipeline {
  const pipeline = usePipelineStartedByTest();
  beforeEach(async () => {
    await pipeline.start(typeof options === 'function' ? options() : options);
  });
  return pipeline;
}

/**
 * For tests that choose their simulator inside the test: `await pipeline.start(options)`, then use
 * it like usePipeline's; it is closed after the test.
 */
export function usePipelineStartedByTest(): StartableTestPipeline {
  return startableHandle(afterEach);
}

/**
 * One pipeline for all the tests of the enclosing `describe` (or file), for tests that build on each
 * other's state or only read it: started before the first, closed after the last.
 */
export function usePipelineForAll(options: PipelineOptions = {}): TestPipeline {
  const pipeline = startableHandle(afterAll);
  beforeAll(async () => {
    await pipeline.start(options);
  });
  return pipeline;
}

function startableHandle(after: typeof afterEach): StartableTestPipeline {
  let current: TestPipeline | undefined;
  after(async () => {
    await current?.close();
    current = undefined;
  });
  const now = (): TestPipeline => {
    if (current === undefined) throw new Error('the test pipeline is used before it was started');
    return current;
  };
  return {
    async start(options) {
      if (current !== undefined) throw new Error('the test pipeline is already started');
      current = await startPipeline(options);
      return current;
    },
    get sim() {
      return now().sim;
    },
    get collector() {
      return now().collector;
    },
    get stateFile() {
      return now().stateFile;
    },
    env: (extra) => now().env(extra),
    config: (extra) => now().config(extra),
    replaceSim: (next) => now().replaceSim(next),
    close: () => now().close(),
  };
}
