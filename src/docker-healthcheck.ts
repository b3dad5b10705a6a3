/**
 * The container image's HEALTHCHECK (`node dist/docker-healthcheck.js`): GET /healthz on the
 * receiver's own health server and exit 0 on a 2xx answer, 1 otherwise, printing one line that says
 * why. The distroless runtime image has no shell and no curl, so the check runs on the image's node.
 *
 * The address is the one the receiver listens on: ASANA_HEALTH_ADDR (host:port, [v6]:port or :port),
 * default 0.0.0.0:13133. A wildcard listen address is probed on loopback.
 *
 * Kept free of the receiver's modules so it starts fast and cannot fail on configuration the
 * receiver itself would reject: Docker runs it every 30 s.
 */

/** Must equal the receiver's default ASANA_HEALTH_ADDR (the collector's health_check port). */
export const DEFAULT_HEALTH_ADDR = '0.0.0.0:13133';
/** Docker kills the check after --timeout (5 s in the Dockerfile); give up a little earlier, with a message. */
export const HEALTHCHECK_TIMEOUT_MS = 4_000;

/** The /healthz URL for a listen address, or an error naming the variable. */
export function healthzUrl(addr: string | undefined): URL {
  const raw = addr === undefined || addr.trim() === '' ? DEFAULT_HEALTH_ADDR : addr.trim();
  const m = /^(?:\[(?<v6>[0-9a-fA-F:.]+)\]|(?<host>[^:[\]]*)):(?<port>\d{1,5})$/.exec(raw);
  const port = Number(m?.groups?.port);
  if (!m || !(port >= 1 && port <= 65535)) {
    throw new Error(`ASANA_HEALTH_ADDR="${raw}" is not host:port (e.g. 0.0.0.0:13133)`);
  }
  const v6 = m.groups?.v6;
  const host = m.groups?.host ?? '';
  let target: string;
  if (v6 !== undefined) target = v6 === '::' ? '[::1]' : `[${v6}]`;
  else target = host === '' || host === '0.0.0.0' ? '127.0.0.1' : host;
  return new URL(`http://${target}:${port}/healthz`);
}

/** Probes once; resolves with the exit code and the line to print. Never throws. */
export async function probe(url: URL, timeoutMs = HEALTHCHECK_TIMEOUT_MS): Promise<{ code: 0 | 1; line: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.text()).slice(0, 500).replace(/\s+/g, ' ').trim();
    if (res.ok) return { code: 0, line: `healthy: ${url.href} answered ${res.status}` };
    return { code: 1, line: `unhealthy: ${url.href} answered ${res.status}${body ? `: ${body}` : ''}` };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    const message = err instanceof Error ? `${err.message}${cause}` : String(err);
    return { code: 1, line: `unhealthy: ${url.href} did not answer (${message})` };
  }
}

async function main(): Promise<number> {
  let url: URL;
  try {
    url = healthzUrl(process.env.ASANA_HEALTH_ADDR);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const { code, line } = await probe(url);
  (code === 0 ? process.stdout : process.stderr).write(`${line}\n`);
  return code;
}

if (import.meta.main) {
  main().then((code) => {
    process.exitCode = code;
  });
}
