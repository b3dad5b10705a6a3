export * from '../progress/format.ts';
export * from '../progress/tracker.ts';
export * from '../progress/tty-line.ts';
