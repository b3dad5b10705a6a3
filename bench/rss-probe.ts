/**
 * Preloaded with `node --import` by bench/memory.ts: when the process exits, writes its peak
 * resident memory (getrusage maxRSS, KiB), its CPU time and its lifetime to $RSS_PROBE_OUT as JSON.
 * It loads nothing but node:fs, so it adds next to nothing to what it measures.
 */
import { writeFileSync } from 'node:fs';

const out = process.env['RSS_PROBE_OUT'];
if (out) {
  process.on('exit', (exitCode) => {
    const cpu = process.cpuUsage();
    writeFileSync(out, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now(), exitCode }));
  });
}
