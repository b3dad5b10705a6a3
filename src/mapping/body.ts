import { errorMessage } from './values.ts';

/** The log record body: the event as JSON text, written exactly whenever the event is JSON data. */

/**
 * The body and warnings of a record for an event that could not be read (the fallback records of
 * every mapping): the event written as well as it can be, and why.
 */
export function unreadableEvent(event: unknown, error: unknown): { body: string; warnings: string[] } {
  const warnings = [`event could not be read (${errorMessage(error)}); Timestamp is the time the event was received`];
  let body = 'null';
  try {
    body = renderBody(event, warnings);
  } catch {
    warnings.push('body could not be written');
  }
  return { body, warnings };
}

/**
 * The event as JSON text. `JSON.stringify` first; when it throws (recursion too deep for nesting in
 * the thousands, which JSON.parse accepts; a cycle; a bigint; a throwing getter) or returns nothing
 * (undefined input), the iterative serializer below. For JSON data it writes exactly what
 * `JSON.stringify` would; anything it had to approximate is reported in `warnings`.
 */
export function renderBody(event: unknown, warnings: string[]): string {
  try {
    const text = JSON.stringify(event);
    if (typeof text === 'string') return text;
  } catch {
    // fall through to the iterative serializer
  }
  const problems = new Set<string>();
  let text: string | undefined;
  try {
    text = stringifyIteratively(event, problems);
  } catch (error) {
    problems.add(`it could not be serialized (${errorMessage(error)})`);
  }
  if (text === undefined && problems.size === 0) problems.add('it is not JSON data');
  if (problems.size > 0) warnings.push(`body is not an exact copy of the event: ${[...problems].join(', ')}`);
  return text ?? 'null';
}

type Frame =
  | { kind: 'array'; value: readonly unknown[]; index: number }
  | { kind: 'object'; value: Record<string, unknown>; keys: string[]; index: number; wroteMember: boolean };

/**
 * JSON.stringify without recursion: an explicit stack, so nesting depth is bounded by memory only.
 * Same output as JSON.stringify for JSON data (no indentation; undefined, functions and symbols left
 * out of objects and written as null in arrays; toJSON honoured). Cycles become "[Circular]" and
 * bigints bare digits, both reported in `problems`. Returns undefined when the root itself is not
 * representable.
 */
function stringifyIteratively(root: unknown, problems: Set<string>): string | undefined {
  const out: string[] = [];
  const stack: Frame[] = [];
  const onPath = new Set<object>();

  const prepare = (value: unknown, key: string): unknown => {
    let v = value;
    if (typeof v === 'object' && v !== null) {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') v = toJSON.call(v, key);
    }
    if (v instanceof Number || v instanceof String || v instanceof Boolean) v = v.valueOf();
    return v;
  };
  const representable = (v: unknown): boolean =>
    v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
  const write = (v: unknown): void => {
    switch (typeof v) {
      case 'string':
      case 'number':
      case 'boolean':
        out.push(JSON.stringify(v));
        return;
      case 'bigint':
        out.push(v.toString());
        problems.add('a bigint is written as a bare number');
        return;
      default:
        break;
    }
    if (v === null || typeof v !== 'object') {
      out.push('null');
      return;
    }
    if (onPath.has(v)) {
      out.push('"[Circular]"');
      problems.add('a circular reference is written as "[Circular]"');
      return;
    }
    onPath.add(v);
    if (Array.isArray(v)) {
      out.push('[');
      stack.push({ kind: 'array', value: v, index: 0 });
    } else {
      out.push('{');
      stack.push({ kind: 'object', value: v as Record<string, unknown>, keys: Object.keys(v), index: 0, wroteMember: false });
    }
  };
  const read = (container: object, key: string): unknown => {
    try {
      return prepare((container as Record<string, unknown>)[key], key);
    } catch {
      problems.add('a value that could not be read is left out');
      return undefined;
    }
  };

  const first = prepare(root, '');
  if (!representable(first)) return undefined;
  write(first);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.kind === 'array') {
      if (frame.index >= frame.value.length) {
        out.push(']');
        stack.pop();
        onPath.delete(frame.value);
        continue;
      }
      const index = frame.index;
      frame.index += 1;
      if (index > 0) out.push(',');
      const item = read(frame.value, String(index));
      if (representable(item)) write(item);
      else out.push('null');
    } else {
      if (frame.index >= frame.keys.length) {
        out.push('}');
        stack.pop();
        onPath.delete(frame.value);
        continue;
      }
      const key = frame.keys[frame.index] as string;
      frame.index += 1;
      const item = read(frame.value, key);
      if (!representable(item)) continue;
      if (frame.wroteMember) out.push(',');
      frame.wroteMember = true;
      out.push(JSON.stringify(key), ':');
      write(item);
    }
  }
  return out.join('');
}
