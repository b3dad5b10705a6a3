/**
 * Hiding secrets in text: the Asana token, OTLP header values, and anything shaped like an Asana
 * token, so a token pasted into the wrong variable is echoed by no message and no log line.
 */

export const REDACTED = '[REDACTED]';

/**
 * The shape of Asana personal-access and service-account tokens (`1/123…:hex…`, `2/123…/456…:hex…`;
 * https://developers.asana.com/docs/personal-access-token).
 */
export const ASANA_TOKEN_SHAPE = /\b\d\/\d{4,}(?:\/\d{4,})?:[0-9A-Za-z]{16,}/g;

/** Secrets shorter than this are not replaced: they would match ordinary text. */
const MIN_SECRET_LENGTH = 4;

/** Replaces each of `secrets` (and anything shaped like an Asana token) in `text`. */
export function scrubText(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s.length >= MIN_SECRET_LENGTH && out.includes(s)) out = out.split(s).join(REDACTED);
  return out.replace(ASANA_TOKEN_SHAPE, REDACTED);
}

/** A scrubber for a fixed list of secrets (unset ones and surrounding whitespace ignored). */
export function scrubber(secrets: Array<string | undefined>): (text: string) => string {
  const list = [...new Set(secrets.map((s) => s?.trim()).filter((s): s is string => s !== undefined && s.length >= MIN_SECRET_LENGTH))];
  return (text) => scrubText(text, list);
}

/** A growing set of secrets (the process-wide one logs use): register once, scrub everywhere. */
export class SecretSet {
  readonly #secrets = new Set<string>();
  add(value: string | undefined): void {
    if (value && value.length >= MIN_SECRET_LENGTH) this.#secrets.add(value);
  }
  scrub(text: string): string {
    return scrubText(text, this.#secrets);
  }
}
