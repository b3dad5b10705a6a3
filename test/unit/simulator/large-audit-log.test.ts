import { describe, expect, it } from 'vitest';
import { LargeAuditLog } from '../../../src/simulator/large-audit-log.ts';

const NOW = Date.parse('2026-12-02T12:00:00Z');

function read(log: LargeAuditLog, query: Record<string, string>): { gids: string[]; pages: number; lastOffset: unknown } {
  const gids: string[] = [];
  let pages = 0;
  let offset: string | undefined;
  for (;;) {
    const body = JSON.parse(log.page(new URLSearchParams({ ...query, ...(offset ? { offset } : {}) })));
    pages++;
    if (body.data.length === 0) return { gids, pages, lastOffset: body.next_page };
    gids.push(...body.data.map((e: { gid: string }) => e.gid));
    offset = body.next_page.offset;
  }
}

describe('LargeAuditLog: a backlog of huge events paged as Asana pages the audit log', () => {
  const log = new LargeAuditLog({ events: 250, eventBytes: 1_000, spanMs: 3_600_000, now: NOW });

  it('every event once, oldest first, each with its blob; an empty page ends it, next_page stays', () => {
    const { gids, pages, lastOffset } = read(log, { limit: '100' });
    expect(gids).toHaveLength(250);
    expect(new Set(gids).size).toBe(250);
    expect(gids).toEqual([...gids].sort());
    expect(pages).toBe(4);
    expect(lastOffset).toEqual({ offset: 'o250' });
    const first = JSON.parse(log.page(new URLSearchParams({ limit: '1' }))).data[0];
    expect(first.details.blob).toHaveLength(1_000);
  });

  it('start_at inclusive, end_at exclusive: adjacent windows share no event and leave none out', () => {
    const cut = new Date(NOW - 1_800_000).toISOString();
    const older = read(log, { end_at: cut });
    const newer = read(log, { start_at: cut });
    expect(older.gids.length + newer.gids.length).toBe(250);
    expect(new Set([...older.gids, ...newer.gids]).size).toBe(250);
  });

  it('a query that matches nothing has no next_page', () => {
    expect(JSON.parse(log.page(new URLSearchParams({ start_at: new Date(NOW).toISOString() })))).toEqual({ data: [], next_page: null });
  });
});
