/**
 * Where settings come from: the environment and the optional YAML file (same keys). Each source
 * yields the known variables with a non-empty value; names that are not settings are reported with
 * the nearest known one. Values are never echoed (the token may be among them).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ENV_VAR_NAMES, ENV_VARS, type EnvVarName, type Raw } from './env-vars.ts';

/** Known variables with a non-empty value (trimmed). An empty value counts as unset (OTel spec). */
export function pickKnown(env: Record<string, string | undefined>): Raw {
  const out: Raw = {};
  for (const { name, envOnly } of ENV_VARS) {
    if (envOnly) continue;
    const v = env[name]?.trim();
    if (v) out[name] = v;
  }
  return out;
}

/** A name whose edit distance to a known one is at most this is taken for a typo of it. */
const MAX_TYPO_DISTANCE = 3;

/** The known setting `name` is most likely a typo of, if any (case-insensitive). */
export function suggestName(name: string): EnvVarName | undefined {
  const upper = name.toUpperCase();
  let best: { name: EnvVarName; distance: number } | undefined;
  for (const v of ENV_VARS) {
    const d = editDistance(upper, v.name);
    if (d <= MAX_TYPO_DISTANCE && (best === undefined || d < best.distance)) best = { name: v.name, distance: d };
  }
  return best?.name;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/**
 * Environment variables in the receiver's namespaces (ASANA_*, OTEL_*) that it does not read: a typo,
 * or an OpenTelemetry setting this receiver does not implement. One notice per name.
 */
export function unknownEnvNames(env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (ENV_VAR_NAMES.has(name)) continue;
    const hint = suggestName(name);
    const didYouMean = hint ? ` — did you mean ${hint}?` : '';
    if (name.startsWith('ASANA_')) out.push(`${name} is not a known setting and is ignored${didYouMean}`);
    else if (name.startsWith('OTEL_')) out.push(`${name} is not supported by this receiver and is ignored${didYouMean}`);
  }
  return out;
}

/** The YAML file: a flat map of the same variable names. Problems go to `problems`, never the values. */
export function readConfigFile(file: string, problems: string[]): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`config file ${file} cannot be read (${errCode(err)}): check the --config path`);
    return {};
  }
  // Loaded only for a --config file: most deployments configure by environment alone.
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const doc = parseDocument(text, { intAsBigInt: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      // Position and the first line only (prettyErrors off): a quoted excerpt could hold the token.
      const before = text.slice(0, e.pos[0]);
      const line = before.split('\n').length;
      const col = e.pos[0] - before.lastIndexOf('\n');
      problems.push(`config file ${file}: invalid YAML at line ${line}, column ${col}: ${e.message.split('\n')[0]}`);
    }
    return {};
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    problems.push(`config file ${file}: must be a map of setting names to values, e.g. ASANA_WORKSPACE_GID: "123"`);
    return {};
  }
  const out: Raw = {};
  const envOnly = new Set(ENV_VARS.filter((v) => v.envOnly).map((v) => v.name as string));
  for (const [key, v] of Object.entries(data as Record<string, unknown>)) {
    if (!ENV_VAR_NAMES.has(key) || envOnly.has(key)) {
      const hint = envOnly.has(key) ? undefined : suggestName(key);
      problems.push(
        `config file ${file}: unknown key "${key}" is not a known setting${hint ? ` — did you mean ${hint}?` : ''}: the file takes the same names as the environment variables (see --help)`,
      );
      continue;
    }
    const name = key as EnvVarName;
    if (v === null || v === undefined) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
      const s = String(v).trim();
      if (s) out[name] = s;
    } else {
      problems.push(`${name} (in ${file}): must be a single value (a string or number), e.g. ${name}: "…"`);
    }
  }
  return out;
}

export function errCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}
