/** The file operations the state module uses; injectable so tests can make one of them fail. */
import * as fsp from 'node:fs/promises';

export interface StateFileHandle {
  writeFile(data: string, encoding: 'utf8'): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface StateFs {
  readFile(path: string): Promise<string>;
  /** flags: 'wx' (create exclusively) or 'r' (a directory, to fsync it). */
  open(path: string, flags: 'wx' | 'r'): Promise<StateFileHandle>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  stat(path: string): Promise<{ mtimeMs: number }>;
  /** Does not follow a symbolic link: tells the link from its target. */
  lstat(path: string): Promise<{ isSymbolicLink(): boolean }>;
  readlink(path: string): Promise<string>;
  utimes(path: string, time: Date): Promise<void>;
  readdir(path: string): Promise<string[]>;
  copyFile(from: string, to: string): Promise<void>;
}

export const nodeStateFs: StateFs = {
  readFile: (p) => fsp.readFile(p, 'utf8'),
  open: (p, flags) => fsp.open(p, flags),
  rename: (a, b) => fsp.rename(a, b),
  mkdir: async (p) => {
    await fsp.mkdir(p, { recursive: true });
  },
  unlink: (p) => fsp.unlink(p),
  stat: (p) => fsp.stat(p),
  lstat: (p) => fsp.lstat(p),
  readlink: (p) => fsp.readlink(p),
  utimes: (p, t) => fsp.utimes(p, t, t),
  readdir: (p) => fsp.readdir(p),
  copyFile: (a, b) => fsp.copyFile(a, b),
};

/** The `code` of a Node system error (ENOENT, EEXIST, …), if it has one. */
export function errCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
