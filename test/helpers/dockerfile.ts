import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, type Copy, type Dockerfile, type From, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { ROOT } from './receiver.ts';

/**
 * The repository's Dockerfile, parsed by dockerfile-ast (the parser behind the VS Code Docker
 * language server) and checked by dockerfile-utils' validator. Shared by the Dockerfile lint test and
 * the test that replays the runtime stage outside Docker.
 */

export const DOCKERFILE = join(ROOT, 'Dockerfile');
export const DOCKERIGNORE = join(ROOT, '.dockerignore');

export interface Stage {
  /** The `AS name`, or the stage's index when unnamed. */
  name: string;
  from: From;
  /** Instructions after the FROM, up to the next FROM. */
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  text: string;
  dockerfile: Dockerfile;
  stages: Stage[];
  /** dockerfile-utils diagnostics: "Instruction has no arguments", unknown flags, bad durations, … */
  diagnostics: ReturnType<typeof validate>;
}

export function parseDockerfile(path = DOCKERFILE): ParsedDockerfile {
  const text = readFileSync(path, 'utf8');
  const dockerfile = DockerfileParser.parse(text);
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = instruction as From;
      stages.push({ name: from.getBuildStage() ?? String(stages.length), from, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { text, dockerfile, stages, diagnostics: validate(text) };
}

export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.getKeyword() === keyword);
}

/** The argv of an exec-form (JSON array) instruction such as CMD ["run"]; undefined for shell form. */
export function execForm(instruction: Instruction): string[] | undefined {
  let content = instruction.getRawArgumentsContent()?.trim() ?? '';
  if (instruction.getKeyword() === 'HEALTHCHECK') {
    // HEALTHCHECK [--flags] CMD <command>: the command after the CMD keyword.
    const m = /(?:^|\s)CMD\s+([\s\S]*)$/i.exec(content);
    if (!m?.[1]) return undefined;
    content = m[1].trim();
  }
  if (!content.startsWith('[')) return undefined;
  try {
    const argv: unknown = JSON.parse(content.replace(/\\\r?\n/g, ' '));
    return Array.isArray(argv) && argv.every((a) => typeof a === 'string') ? argv : undefined;
  } catch {
    return undefined;
  }
}

export interface CopySpec {
  /** `--from=<stage>`; undefined when copying from the build context. */
  fromStage: string | undefined;
  sources: string[];
  destination: string;
  flags: Record<string, string | null>;
}

export function copySpec(instruction: Instruction): CopySpec {
  const copy = instruction as Copy;
  const flags = Object.fromEntries(copy.getFlags().map((f) => [f.getName(), f.getValue()]));
  const args = copy.getArguments().map((a) => a.getValue());
  const destination = args.at(-1);
  if (args.length < 2 || destination === undefined) throw new Error(`COPY on line ${instruction.getRange().start.line + 1} needs a source and a destination`);
  // From the flag list: getFromFlag() misses --from when another flag follows it.
  const from = flags.from;
  return { fromStage: from === null || from === undefined ? undefined : from, sources: args.slice(0, -1), destination, flags };
}

/** ENV of a stage, in order, later values winning (NAME=value pairs only). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of instructionsOf(stage, 'ENV')) {
    for (const p of (i as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()) {
      env[p.getName()] = p.getValue() ?? '';
    }
  }
  return env;
}

/** The WORKDIR in force at the end of a stage (absolute paths only, as the lint requires). */
export function workdirOf(stage: Stage): string | undefined {
  return instructionsOf(stage, 'WORKDIR').at(-1)?.getArguments()[0]?.getValue();
}

/**
 * Whether a path of the build context survives .dockerignore: the last matching pattern wins, `!`
 * re-includes, and a pattern matching a directory covers everything beneath it (Docker's rules for
 * the simple patterns this repository uses: names, `*`, `**`).
 */
export function includedByDockerignore(relPath: string, ignoreText: string): boolean {
  const patterns = ignoreText
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const parts = relPath.split('/').filter(Boolean);
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let included = true;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const re = new RegExp(`^${pattern.split('**').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('.*')}$`);
    if (candidates.some((c) => re.test(c))) included = negate;
  }
  return included;
}
