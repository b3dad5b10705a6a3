import { describe, expect, it } from 'vitest';
import { streamKey } from '../../../src/state/key.ts';

describe('streamKey', () => {
  it('is stream/workspace without filters', () => {
    expect(streamKey({ stream: 'audit_log', workspaceGid: '123', filters: {} })).toBe('audit_log/123');
  });

  it('adds the filters under their API names, sorted, so the key is stable', () => {
    const a = streamKey({ stream: 'audit_log', workspaceGid: '1', filters: { eventType: 'user_login_succeeded', actorGid: '42' } });
    const b = streamKey({ stream: 'audit_log', workspaceGid: '1', filters: { actorGid: '42', eventType: 'user_login_succeeded' } });
    expect(a).toBe('audit_log/1?actor_gid=42&event_type=user_login_succeeded');
    expect(b).toBe(a);
    expect(
      streamKey({ stream: 'audit_log', workspaceGid: '1', filters: { resourceGid: '7', actorType: 'user', eventType: 'a&b=c' } }),
    ).toBe('audit_log/1?actor_type=user&event_type=a%26b%3Dc&resource_gid=7');
  });

  it('ignores unset and empty filters', () => {
    expect(streamKey({ stream: 'audit_log', workspaceGid: '1', filters: { actorGid: undefined, eventType: '' } })).toBe('audit_log/1');
  });
});
