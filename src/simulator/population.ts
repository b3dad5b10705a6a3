import type { AuditLogEventActor, AuditLogEventContext, AuditLogEventResource } from '../asana/types.ts';
import { Prng } from './prng.ts';
import { API_AGENTS, BROWSER_AGENTS, DESKTOP_AGENTS, DIVISION_NAMES, FIRST_NAMES, LAST_NAMES, MOBILE_AGENTS, NAMED_USERS, OAUTH_APPS, OBJECT_NAMES, PORTFOLIO_NAMES, PROJECT_NAMES, RULE_NAMES, SETTING_VALUES, TEAM_NAMES, ascii } from './vocabulary.ts';

/**
 * The people and places of the simulated domain (users, admins, teams, projects, portfolios,
 * divisions) and the building blocks of an event made of them: actors, resources, contexts, IPs.
 * One random stream for choices, another for gids, both from the seed: the same seed gives the same
 * domain and, with the same calls, the same events.
 */

const FIRST_ENTITY_GID = 1_199_000_000_000_000;

export interface User {
  gid: string;
  name: string;
  email: string;
  ip: string;
}
export interface Entity {
  gid: string;
  name: string;
}

export class Population {
  readonly workspaceGid: string;
  readonly workspaceName: string;
  readonly rng: Prng;
  readonly gidRng: Prng;
  private nextEntity = FIRST_ENTITY_GID;
  readonly users: User[];
  readonly admins: User[];
  readonly teams: Entity[];
  readonly projects: Entity[];
  readonly portfolios: Entity[];
  readonly divisions: Entity[];

  constructor(opts: { seed: number; workspaceGid: string; workspaceName?: string }) {
    this.workspaceGid = opts.workspaceGid;
    this.workspaceName = opts.workspaceName ?? 'Example Corp';
    this.rng = new Prng(opts.seed);
    this.gidRng = new Prng(opts.seed ^ 0x5eed_9e37);
    this.users = [
      ...NAMED_USERS.map(([name, local]) => this.user(name, local)),
      ...Array.from({ length: 170 }, () => {
        const first = this.rng.pick(FIRST_NAMES);
        const last = this.rng.pick(LAST_NAMES);
        return this.user(`${first} ${last}`, `${ascii(first)}.${ascii(last)}${this.rng.int(1, 99)}`);
      }),
    ];
    this.admins = this.users.slice(0, 4);
    this.teams = TEAM_NAMES.map((name) => this.entity(name));
    this.projects = PROJECT_NAMES.map((name) => this.entity(name));
    this.portfolios = PORTFOLIO_NAMES.map((name) => this.entity(name));
    this.divisions = DIVISION_NAMES.map((name) => this.entity(name));
  }


  /** details.old_value/new_value of a *_changed event; old_value is null when never set before. */
  change(type: string): Record<string, unknown> {
    const values = SETTING_VALUES[type] ?? ['disabled', 'enabled'];
    const newValue = this.rng.pick(values);
    const others = values.filter((v) => v !== newValue);
    const oldValue = others.length === 0 || this.rng.chance(0.08) ? null : this.rng.pick(others);
    return { old_value: oldValue, new_value: newValue };
  }

  userActor(u: User): AuditLogEventActor {
    // A user's email is occasionally null (an account deleted since).
    return { actor_type: 'user', gid: u.gid, name: u.name, email: this.rng.chance(0.02) ? null : u.email };
  }

  userResource(u: User): AuditLogEventResource {
    return { resource_type: 'user', gid: u.gid, name: u.name, email: u.email };
  }

  workspaceResource(): AuditLogEventResource {
    return { resource_type: 'workspace', gid: this.workspaceGid, name: this.workspaceName };
  }

  entityResource(e: Entity, resourceType: string): AuditLogEventResource {
    return { resource_type: resourceType, gid: e.gid, name: e.name };
  }

  group(e: Entity, resourceType: string): Record<string, unknown> {
    return { gid: e.gid, name: e.name, resource_type: resourceType };
  }

  /** A content object (task, attachment, …): fresh gid, name null when it is gone for good. */
  objectResource(objectType: string): AuditLogEventResource {
    const names = OBJECT_NAMES[objectType] ?? [`Untitled ${objectType.replace(/_/g, ' ')}`];
    const resource: AuditLogEventResource = {
      resource_type: objectType === 'comment' ? 'story' : objectType,
      gid: this.entityGid(),
      name: this.rng.chance(0.06) ? null : this.rng.pick(names),
    };
    if (objectType === 'task' && this.rng.chance(0.2)) resource.resource_subtype = this.rng.pick(['milestone', 'approval']);
    if (objectType === 'comment') resource.resource_subtype = 'comment_added';
    return resource;
  }

  humanContext(u: User, allowApi: boolean): AuditLogEventContext {
    const kind = this.rng.weighted({ api: allowApi ? 14 : 0, web: 60, desktop: 14, mobile: 12 });
    if (kind === 'api') return this.apiContext();
    const ua = kind === 'web' ? BROWSER_AGENTS : kind === 'desktop' ? DESKTOP_AGENTS : MOBILE_AGENTS;
    return { context_type: kind, client_ip_address: this.ipFor(u), user_agent: this.rng.pick(ua) };
  }

  webContext(u: User): AuditLogEventContext {
    return { context_type: 'web', client_ip_address: this.ipFor(u), user_agent: this.rng.pick(BROWSER_AGENTS) };
  }

  apiContext(method?: string, oauthApp?: string): AuditLogEventContext {
    const m = method ?? this.rng.weighted({ oauth: 50, personal_access_token: 28, service_account: 18, cookie: 4 });
    const context: AuditLogEventContext = {
      context_type: 'api',
      api_authentication_method: m,
      client_ip_address: this.randomIp(),
      user_agent: this.rng.pick(API_AGENTS),
    };
    if (m === 'oauth') context.oauth_app_name = oauthApp ?? this.rng.pick(OAUTH_APPS);
    if (this.rng.chance(0.03)) context.rule_name = this.rng.pick(RULE_NAMES);
    return context;
  }

  /** Users mostly work from their own address. */
  ipFor(u: User): string {
    return this.rng.chance(0.8) ? u.ip : this.randomIp();
  }

  /** Documentation ranges only: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32. */
  randomIp(): string {
    if (this.rng.chance(0.15)) {
      const hex = () => this.rng.int(0, 0xffff).toString(16);
      return `2001:db8:${hex()}:${hex()}::${hex()}`;
    }
    return `${this.rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${this.rng.int(1, 254)}`;
  }

  entityGid(): string {
    this.nextEntity += this.gidRng.int(1, 5_000);
    return String(this.nextEntity);
  }

  entity(name: string): Entity {
    return { gid: this.entityGid(), name };
  }

  user(name: string, local: string): User {
    return { gid: this.entityGid(), name, email: `${local}@example.com`, ip: this.randomIp() };
  }

  freshUser(): User {
    const first = this.rng.pick(FIRST_NAMES);
    const last = this.rng.pick(LAST_NAMES);
    return this.user(`${first} ${last}`, `${ascii(first)}.${ascii(last)}.${this.rng.int(100, 999)}`);
  }
}
