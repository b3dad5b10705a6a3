import { Writable } from 'node:stream';

const CLEAR_LINE = '\r\u001b[2K';

/**
 * A status line at the bottom of a terminal. Log lines written through logStream() clear it first
 * and redraw it after, so the bar never garbles a log line.
 */
export class TtyLine {
  private readonly out: NodeJS.WritableStream & { columns?: number };
  private current: string | undefined;

  constructor(out: NodeJS.WritableStream & { columns?: number }) {
    this.out = out;
  }

  /** The terminal's width; 80 when it does not say (some pseudo-terminals report 0). */
  get columns(): number {
    const c = this.out.columns;
    return typeof c === 'number' && c >= 20 ? c : 80;
  }

  draw(text: string): void {
    this.current = text;
    this.out.write(`${CLEAR_LINE}${text}`);
  }

  clear(): void {
    if (this.current === undefined) return;
    this.current = undefined;
    this.out.write(CLEAR_LINE);
  }

  /** Where the logger writes: the line is lifted out of the way of each log line. */
  logStream(): NodeJS.WritableStream {
    const stream = new Writable({
      write: (chunk: Buffer | string, _encoding, callback) => {
        const bar = this.current;
        this.out.write(bar === undefined ? chunk : Buffer.concat([Buffer.from(CLEAR_LINE), Buffer.from(chunk), Buffer.from(bar)]));
        callback();
      },
    });
    // The logger colours its level names for terminals.
    return Object.assign(stream, { isTTY: true });
  }
}
