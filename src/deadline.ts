/**
 * A signal for one request: aborted when `parent` is (shutdown) or after `ms`, whichever comes
 * first; done() clears the timer as soon as the request is over. AbortSignal.timeout() combined with
 * AbortSignal.any() would keep a timer and both signals alive for the whole timeout after every
 * request — tens of thousands of them during a backfill, all work for the garbage collector.
 */
export interface Deadline {
  readonly signal: AbortSignal;
  /** True once the time ran out (not when the parent aborted). */
  expired(): boolean;
  /** The request is over: clear the timer and let go of the parent. */
  done(): void;
}

export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const ctl = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    ctl.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
  }, ms);
  const onAbort = () => ctl.abort(parent?.reason);
  if (parent?.aborted) ctl.abort(parent.reason);
  else parent?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: ctl.signal,
    expired: () => expired,
    done: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}
