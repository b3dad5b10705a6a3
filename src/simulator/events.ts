import type { AuditLogEvent, AuditLogEventActor, AuditLogEventContext } from '../asana/types.ts';
import categories from '../mapping/event-categories.json' with { type: 'json' };
import { eventParts, type Parts } from './event-parts.ts';
import { Population } from './population.ts';
import { RULE_NAMES } from './vocabulary.ts';

/**
 * The deterministic generator of realistic audit-log events: the same seed, time range and call
 * sequence give the same events, gid for gid.
 *
 * Each event's actor, resource, details and context come from event-parts.ts, its people and places
 * from population.ts. IP addresses come only from the documentation ranges (RFC 5737, RFC 3849);
 * email addresses only from example.com/.org.
 */

/** event_type -> event_category, as documented (src/mapping/event-categories.json). */
export const EVENT_CATEGORIES: Readonly<Record<string, string>> = categories;

/**
 * Types the category map does not know: newer real ones Asana announced later, and one invented
 * future category. They prove that consumers pass unknown types and categories through.
 */
export const UNMAPPED_EVENT_TYPES: Readonly<Record<string, string>> = {
  workspace_quantum_settings_changed: 'future_category',
  workspace_mobile_app_screen_capture_disabled: 'admin_settings',
  user_team_admin_role_changed: 'roles',
  bundle_deleted: 'deletion',
};

/** How often each category occurs; the unmapped types share the `unmapped` weight. */
const CATEGORY_WEIGHTS = {
  logins: 30,
  user_updates: 9,
  admin_settings: 6,
  roles: 3,
  content_export: 6,
  access_control: 16,
  apps: 5,
  creation: 7,
  deletion: 16,
  unmapped: 2,
} as const;
type WeightedCategory = keyof typeof CATEGORY_WEIGHTS;

/**
 * Same-millisecond clusters: Asana records bulk operations (SCIM deprovisioning, a rule deleting
 * tasks, a team clean-up) with one created_at, so ties straddle page boundaries (pages hold 100).
 */
const BURST_PROBABILITY = 0.002;
const BURST_MIN = 20;
const BURST_MAX = 180;
type BurstKind = 'scim_deprovision' | 'team_cleanup' | 'rule_deletion';

const FIRST_EVENT_GID = 1_208_000_000_000_000;

export interface GeneratorOptions {
  seed: number;
  workspaceGid: string;
  workspaceName?: string;
}

export class EventGenerator {
  readonly workspaceGid: string;
  readonly workspaceName: string;
  private readonly d: Population;
  private nextEvent = FIRST_EVENT_GID;
  private readonly typesByCategory = new Map<string, string[]>();
  private readonly unmappedTypes = Object.keys(UNMAPPED_EVENT_TYPES);

  constructor(opts: GeneratorOptions) {
    this.d = new Population(opts);
    this.workspaceGid = this.d.workspaceGid;
    this.workspaceName = this.d.workspaceName;
    for (const [type, category] of Object.entries(EVENT_CATEGORIES)) {
      const list = this.typesByCategory.get(category) ?? [];
      list.push(type);
      this.typesByCategory.set(category, list);
    }
  }

  /** A fresh event gid: 16-digit numeric strings, unique and increasing, sparse like Asana's. */
  nextEventGid(): string {
    this.nextEvent += this.d.gidRng.int(1, 64);
    return String(this.nextEvent);
  }

  /**
   * `count` events with created_at in [fromMs, toMs) (all at fromMs when the range is empty),
   * sorted by (created_at, gid). Mostly single events, sometimes a same-millisecond burst.
   */
  generate(count: number, fromMs: number, toMs: number): AuditLogEvent[] {
    const sizes: number[] = [];
    for (let left = count; left > 0; ) {
      const size = left >= 2 && this.d.rng.chance(BURST_PROBABILITY) ? Math.min(left, this.d.rng.int(BURST_MIN, BURST_MAX)) : 1;
      sizes.push(size);
      left -= size;
    }
    const span = Math.max(0, toMs - fromMs);
    const times = sizes.map(() => fromMs + Math.floor(this.d.rng.next() * span)).sort((a, b) => a - b);
    const out: AuditLogEvent[] = [];
    sizes.forEach((size, i) => {
      const createdAt = new Date(times[i] ?? fromMs).toISOString();
      if (size === 1) out.push(this.single(createdAt));
      else out.push(...this.burst(size, createdAt));
    });
    return out;
  }

  // ---- episodes -------------------------------------------------------------------------------

  private single(createdAt: string): AuditLogEvent {
    const weighted: WeightedCategory = this.d.rng.weighted(CATEGORY_WEIGHTS);
    let type: string;
    if (weighted === 'unmapped') type = this.d.rng.pick(this.unmappedTypes);
    else type = this.d.rng.pick(this.typesByCategory.get(weighted) ?? []);
    const category = EVENT_CATEGORIES[type] ?? UNMAPPED_EVENT_TYPES[type] ?? 'future_category';
    return this.event(type, category, createdAt, eventParts(this.d, type, category));
  }

  private burst(size: number, createdAt: string): AuditLogEvent[] {
    const kind = this.d.rng.weighted<BurstKind>({ scim_deprovision: 2, team_cleanup: 2, rule_deletion: 1 });
    const out: AuditLogEvent[] = [];
    const push = (type: string, parts: Parts) => {
      if (out.length < size) out.push(this.event(type, EVENT_CATEGORIES[type] ?? 'unknown', createdAt, parts));
    };
    if (kind === 'scim_deprovision') {
      // An identity provider offboards a batch: each user is deprovisioned and leaves their teams.
      const actor: AuditLogEventActor = { actor_type: 'external_administrator' };
      const context = this.d.apiContext('oauth', 'Okta');
      while (out.length < size) {
        const u = this.d.rng.pick(this.d.users);
        push('user_deprovisioned', { actor, resource: this.d.userResource(u), details: {}, context });
        for (let k = this.d.rng.int(1, 3); k > 0; k--) {
          push('team_member_removed', {
            actor: { actor_type: 'asana' },
            resource: this.d.userResource(u),
            details: { group: this.d.group(this.d.rng.pick(this.d.teams), 'team') },
            context: { context_type: 'asana' },
          });
        }
      }
    } else if (kind === 'team_cleanup') {
      // An admin empties a team in one operation.
      const admin = this.d.rng.pick(this.d.admins);
      const team = this.d.rng.pick(this.d.teams);
      const context = this.d.humanContext(admin, false);
      while (out.length < size) {
        push('team_member_removed', {
          actor: this.d.userActor(admin),
          resource: this.d.userResource(this.d.rng.pick(this.d.users)),
          details: { group: this.d.group(team, 'team') },
          context,
        });
      }
    } else {
      // A rule deletes a batch of tasks.
      const context: AuditLogEventContext = { context_type: 'asana', rule_name: this.d.rng.pick(RULE_NAMES) };
      while (out.length < size) {
        push('task_deleted', { actor: { actor_type: 'asana' }, resource: this.d.objectResource('task'), details: {}, context });
      }
    }
    return out;
  }

  private event(type: string, category: string, createdAt: string, p: Parts): AuditLogEvent {
    // Field order as Asana sends it.
    return {
      gid: this.nextEventGid(),
      created_at: createdAt,
      event_type: type,
      event_category: category,
      actor: p.actor,
      resource: p.resource,
      details: p.details,
      context: p.context,
    };
  }

}
