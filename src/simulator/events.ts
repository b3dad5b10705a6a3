import type {
  AuditLogEvent,
  AuditLogEventActor,
  AuditLogEventContext,
  AuditLogEventResource,
} from '../asana/types.ts';
import categories from '../mapping/event-categories.json' with { type: 'json' };
import { Prng } from './prng.ts';

/**
 * The deterministic generator of realistic audit-log events: the same seed, time range and call
 * sequence give the same events, gid for gid.
 *
 * Shapes follow Asana's AuditLogEvent schema (shared/asana/openapi-excerpt.yaml): actor, resource,
 * details and context per event type; old_value/new_value on *_changed settings; `group` on role
 * and membership changes; `saml_response: null` on logins. IP addresses come only from the
 * documentation ranges (RFC 5737, RFC 3849); email addresses only from example.com/.org.
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
const FIRST_ENTITY_GID = 1_199_000_000_000_000;

interface User {
  gid: string;
  name: string;
  email: string;
  ip: string;
}
interface Entity {
  gid: string;
  name: string;
}

/** Parts of one event that the builders fill in; gid, created_at and type are added around them. */
interface Parts {
  actor: AuditLogEventActor;
  resource: AuditLogEventResource;
  details: Record<string, unknown>;
  context: AuditLogEventContext;
}

export interface GeneratorOptions {
  seed: number;
  workspaceGid: string;
  workspaceName?: string;
}

export class EventGenerator {
  readonly workspaceGid: string;
  readonly workspaceName: string;
  private readonly rng: Prng;
  private readonly gidRng: Prng;
  private nextEntity = FIRST_ENTITY_GID;
  private nextEvent = FIRST_EVENT_GID;
  private readonly users: User[];
  private readonly admins: User[];
  private readonly teams: Entity[];
  private readonly projects: Entity[];
  private readonly portfolios: Entity[];
  private readonly divisions: Entity[];
  private readonly typesByCategory = new Map<string, string[]>();
  private readonly unmappedTypes = Object.keys(UNMAPPED_EVENT_TYPES);

  constructor(opts: GeneratorOptions) {
    this.workspaceGid = opts.workspaceGid;
    this.workspaceName = opts.workspaceName ?? 'Example Corp';
    this.rng = new Prng(opts.seed);
    this.gidRng = new Prng(opts.seed ^ 0x5eed_9e37);
    for (const [type, category] of Object.entries(EVENT_CATEGORIES)) {
      const list = this.typesByCategory.get(category) ?? [];
      list.push(type);
      this.typesByCategory.set(category, list);
    }
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

  /** A fresh event gid: 16-digit numeric strings, unique and increasing, sparse like Asana's. */
  nextEventGid(): string {
    this.nextEvent += this.gidRng.int(1, 64);
    return String(this.nextEvent);
  }

  /**
   * `count` events with created_at in [fromMs, toMs) (all at fromMs when the range is empty),
   * sorted by (created_at, gid). Mostly single events, sometimes a same-millisecond burst.
   */
  generate(count: number, fromMs: number, toMs: number): AuditLogEvent[] {
    const sizes: number[] = [];
    for (let left = count; left > 0; ) {
      const size = left >= 2 && this.rng.chance(BURST_PROBABILITY) ? Math.min(left, this.rng.int(BURST_MIN, BURST_MAX)) : 1;
      sizes.push(size);
      left -= size;
    }
    const span = Math.max(0, toMs - fromMs);
    const times = sizes.map(() => fromMs + Math.floor(this.rng.next() * span)).sort((a, b) => a - b);
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
    const weighted: WeightedCategory = this.rng.weighted(CATEGORY_WEIGHTS);
    let type: string;
    if (weighted === 'unmapped') type = this.rng.pick(this.unmappedTypes);
    else type = this.rng.pick(this.typesByCategory.get(weighted) ?? []);
    const category = EVENT_CATEGORIES[type] ?? UNMAPPED_EVENT_TYPES[type] ?? 'future_category';
    return this.event(type, category, createdAt, this.parts(type, category));
  }

  private burst(size: number, createdAt: string): AuditLogEvent[] {
    const kind = this.rng.weighted<BurstKind>({ scim_deprovision: 2, team_cleanup: 2, rule_deletion: 1 });
    const out: AuditLogEvent[] = [];
    const push = (type: string, parts: Parts) => {
      if (out.length < size) out.push(this.event(type, EVENT_CATEGORIES[type] ?? 'unknown', createdAt, parts));
    };
    if (kind === 'scim_deprovision') {
      // An identity provider offboards a batch: each user is deprovisioned and leaves their teams.
      const actor: AuditLogEventActor = { actor_type: 'external_administrator' };
      const context = this.apiContext('oauth', 'Okta');
      while (out.length < size) {
        const u = this.rng.pick(this.users);
        push('user_deprovisioned', { actor, resource: this.userResource(u), details: {}, context });
        for (let k = this.rng.int(1, 3); k > 0; k--) {
          push('team_member_removed', {
            actor: { actor_type: 'asana' },
            resource: this.userResource(u),
            details: { group: this.group(this.rng.pick(this.teams), 'team') },
            context: { context_type: 'asana' },
          });
        }
      }
    } else if (kind === 'team_cleanup') {
      // An admin empties a team in one operation.
      const admin = this.rng.pick(this.admins);
      const team = this.rng.pick(this.teams);
      const context = this.humanContext(admin, false);
      while (out.length < size) {
        push('team_member_removed', {
          actor: this.userActor(admin),
          resource: this.userResource(this.rng.pick(this.users)),
          details: { group: this.group(team, 'team') },
          context,
        });
      }
    } else {
      // A rule deletes a batch of tasks.
      const context: AuditLogEventContext = { context_type: 'asana', rule_name: this.rng.pick(RULE_NAMES) };
      while (out.length < size) {
        push('task_deleted', { actor: { actor_type: 'asana' }, resource: this.objectResource('task'), details: {}, context });
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

  // ---- per category ---------------------------------------------------------------------------

  private parts(type: string, category: string): Parts {
    switch (category) {
      case 'logins':
        return this.login(type);
      case 'user_updates':
        return this.userUpdate(type);
      case 'admin_settings':
        return this.adminSetting(type);
      case 'roles':
        return this.roleChange(type);
      case 'content_export':
        return this.contentExport(type);
      case 'access_control':
        return this.accessControl(type);
      case 'apps':
        return this.app(type);
      case 'creation':
        return this.creation(type);
      case 'deletion':
        return this.deletion(type);
      default:
        return this.futureSetting(type);
    }
  }

  private login(type: string): Parts {
    const u = this.rng.pick(this.users);
    const anonymous = type === 'user_login_failed' && this.rng.chance(0.3);
    return {
      actor: anonymous ? { actor_type: 'anonymous' } : this.userActor(u),
      resource: this.userResource(u),
      // Asana: saml_response is present on login events, null unless the IdP answered with SAML.
      details: type === 'user_logged_out' ? {} : { saml_response: null },
      context: this.humanContext(u, false),
    };
  }

  private userUpdate(type: string): Parts {
    const u = this.rng.pick(this.users);
    const admin = this.rng.pick(this.admins);
    switch (type) {
      case 'user_invited': {
        const invitee = this.freshUser();
        return {
          actor: this.userActor(admin),
          // Invitees have no name until they sign up.
          resource: { resource_type: 'user', gid: invitee.gid, name: this.rng.chance(0.4) ? null : invitee.name, email: invitee.email },
          details: { is_guest: this.rng.chance(0.3) },
          context: this.humanContext(admin, true),
        };
      }
      case 'user_deprovisioned':
      case 'user_reprovisioned': {
        const scim = this.rng.chance(0.5);
        return {
          actor: scim ? { actor_type: 'external_administrator' } : this.userActor(admin),
          resource: this.userResource(u),
          details: {},
          context: scim ? this.apiContext('oauth', 'Okta') : this.humanContext(admin, false),
        };
      }
      case 'user_forgot_password_started':
        return { actor: { actor_type: 'anonymous' }, resource: this.userResource(u), details: {}, context: this.webContext(u) };
      case 'user_csv_import_started':
        return {
          actor: this.userActor(admin),
          resource: this.workspaceResource(),
          details: { row_count: this.rng.int(2, 2500) },
          context: this.webContext(admin),
        };
      case 'domain_user_billing_paused':
      case 'domain_user_billing_unpaused':
        return { actor: { actor_type: 'asana' }, resource: this.userResource(u), details: {}, context: { context_type: 'asana' } };
      default:
        // Password and two-factor changes: made by the user themself.
        return { actor: this.userActor(u), resource: this.userResource(u), details: {}, context: this.humanContext(u, false) };
    }
  }

  private adminSetting(type: string): Parts {
    const admin = this.rng.pick(this.admins);
    const support = this.rng.chance(0.08);
    const actor: AuditLogEventActor = support ? { actor_type: 'asana_support' } : this.userActor(admin);
    const context: AuditLogEventContext = support
      ? { context_type: 'asana_support', on_behalf_of_user_id: Number(admin.gid) }
      : this.humanContext(admin, false);
    let resource = this.workspaceResource();
    if (type.startsWith('workspace_announcement_')) {
      resource = { resource_type: 'workspace_announcement', gid: this.entityGid(), name: this.rng.pick(ANNOUNCEMENTS) };
    } else if (type.startsWith('workspace_associated_email_domain_') || type === 'workspace_saml_settings_changed') {
      resource = { resource_type: 'email_domain', gid: this.entityGid(), name: this.rng.pick(['example.com', 'example.org', 'eu.example.com']) };
    }
    let details: Record<string, unknown> = {};
    if (type.endsWith('_changed')) details = this.change(type);
    else if (type === 'workspace_force_password_reset') details = { affected_user_count: this.rng.int(1, this.users.length) };
    return { actor, resource, details, context };
  }

  private roleChange(type: string): Parts {
    const admin = this.rng.pick(this.admins);
    const details = this.change(type);
    if (type === 'user_division_admin_role_changed') details.group = this.group(this.rng.pick(this.divisions), 'division');
    else if (type === 'user_team_admin_role_changed') details.group = this.group(this.rng.pick(this.teams), 'team');
    else details.group = { gid: this.workspaceGid, name: this.workspaceName, resource_type: 'workspace' };
    return {
      actor: this.userActor(admin),
      resource: this.userResource(this.rng.pick(this.users)),
      details,
      context: this.humanContext(admin, false),
    };
  }

  private contentExport(type: string): Parts {
    const u = this.rng.chance(0.5) ? this.rng.pick(this.admins) : this.rng.pick(this.users);
    let resource: AuditLogEventResource = this.workspaceResource();
    let details: Record<string, unknown> = {};
    switch (type) {
      case 'project_csv_export_started':
        resource = this.entityResource(this.rng.pick(this.projects), 'project');
        break;
      case 'division_teams_export_started':
        resource = this.entityResource(this.rng.pick(this.divisions), 'division');
        break;
      case 'search_report_export_started':
        resource = { resource_type: 'search_report', gid: this.entityGid(), name: this.rng.pick(['My open tasks', 'Overdue — all teams', 'Bugs 🐞 this week']) };
        details = { result_count: this.rng.int(0, 5000) };
        break;
      case 'attachment_downloaded':
        resource = this.objectResource('attachment');
        details = { file_size_bytes: this.rng.int(1_024, 80_000_000), is_preview: this.rng.chance(0.2) };
        break;
      case 'object_export_started':
        resource = this.entityResource(this.rng.pick(this.projects), 'project');
        details = { export_format: this.rng.pick(['csv', 'json', 'pdf']), include_subtasks: this.rng.chance(0.5) };
        break;
      case 'workspace_export_started':
        details = { export_format: 'json' };
        break;
    }
    return { actor: this.userActor(u), resource, details, context: this.humanContext(u, true) };
  }

  private accessControl(type: string): Parts {
    const u = this.rng.pick(this.users);
    const actor = this.userActor(this.rng.chance(0.4) ? this.rng.pick(this.admins) : u);
    const context = this.humanContext(u, true);
    if (type.startsWith('team_member_')) {
      return { actor, resource: this.userResource(this.rng.pick(this.users)), details: { group: this.group(this.rng.pick(this.teams), 'team') }, context };
    }
    if (type.startsWith('project_member_')) {
      return {
        actor,
        resource: this.userResource(this.rng.pick(this.users)),
        details: { group: this.group(this.rng.pick(this.projects), 'project'), access_level: this.rng.pick(['editor', 'commenter', 'viewer', 'admin']) },
        context,
      };
    }
    if (type.startsWith('portfolio_member_')) {
      return { actor, resource: this.userResource(this.rng.pick(this.users)), details: { group: this.group(this.rng.pick(this.portfolios), 'portfolio') }, context };
    }
    if (type === 'team_privacy_settings_changed') {
      return { actor, resource: this.entityResource(this.rng.pick(this.teams), 'team'), details: this.change(type), context };
    }
    const details = type === 'project_privacy_settings_changed' ? this.change(type) : {};
    return { actor, resource: this.entityResource(this.rng.pick(this.projects), 'project'), details, context };
  }

  private app(type: string): Parts {
    const u = this.rng.pick(this.users);
    const admin = this.rng.pick(this.admins);
    if (type.startsWith('team_harvest_integration_')) {
      return { actor: this.userActor(u), resource: this.entityResource(this.rng.pick(this.teams), 'team'), details: {}, context: this.webContext(u) };
    }
    if (type.startsWith('user_app_')) {
      const app = this.rng.pick(OAUTH_APPS);
      return {
        actor: this.userActor(u),
        resource: { resource_type: 'app', gid: this.entityGid(), name: app },
        details: {},
        context: type === 'user_app_authorized' ? this.apiContext('oauth', app) : this.webContext(u),
      };
    }
    if (type.startsWith('user_personal_access_token_')) {
      return {
        actor: this.userActor(u),
        resource: { resource_type: 'personal_access_token', gid: this.entityGid(), name: this.rng.pick(TOKEN_NAMES) },
        details: {},
        context: this.webContext(u),
      };
    }
    // service_account_*: an admin manages the domain's service accounts.
    const details = type === 'service_account_name_changed' ? this.change(type) : {};
    return {
      actor: this.userActor(admin),
      resource: { resource_type: 'service_account', gid: this.entityGid(), name: this.rng.pick(SERVICE_ACCOUNTS) },
      details,
      context: this.webContext(admin),
    };
  }

  private creation(type: string): Parts {
    const u = this.rng.pick(this.users);
    if (type === 'team_created') {
      return { actor: this.userActor(u), resource: this.entityResource(this.entity(this.rng.pick(TEAM_NAMES)), 'team'), details: {}, context: this.humanContext(u, true) };
    }
    const viaEmail = this.rng.chance(0.1);
    return {
      actor: this.userActor(u),
      resource: this.objectResource('attachment'),
      details: { file_size_bytes: this.rng.int(200, 120_000_000), host: this.rng.pick(['asana', 'asana', 'google_drive', 'dropbox', 'onedrive', 'box']) },
      context: viaEmail ? { context_type: 'email' } : this.humanContext(u, true),
    };
  }

  private deletion(type: string): Parts {
    const objectType = type.replace(/_(permanently_deleted|deleted|undeleted)$/, '');
    const permanent = type.endsWith('_permanently_deleted');
    // Asana empties the trash itself (permanent deletion) and rules delete tasks.
    if (permanent ? this.rng.chance(0.7) : this.rng.chance(0.08)) {
      const context: AuditLogEventContext = { context_type: 'asana' };
      if (!permanent) context.rule_name = this.rng.pick(RULE_NAMES);
      return { actor: { actor_type: 'asana' }, resource: this.objectResource(objectType), details: {}, context };
    }
    const u = this.rng.pick(this.users);
    return { actor: this.userActor(u), resource: this.objectResource(objectType), details: {}, context: this.humanContext(u, true) };
  }

  /** An invented type of a category nobody knows yet: a setting with a few extra fields. */
  private futureSetting(type: string): Parts {
    const admin = this.rng.pick(this.admins);
    return {
      actor: this.userActor(admin),
      resource: this.workspaceResource(),
      details: { ...this.change(type), qubits: this.rng.int(2, 64), reversible: this.rng.chance(0.5) },
      context: this.humanContext(admin, true),
    };
  }

  // ---- building blocks ------------------------------------------------------------------------

  /** details.old_value/new_value of a *_changed event; old_value is null when never set before. */
  private change(type: string): Record<string, unknown> {
    const values = SETTING_VALUES[type] ?? ['disabled', 'enabled'];
    const newValue = this.rng.pick(values);
    const others = values.filter((v) => v !== newValue);
    const oldValue = others.length === 0 || this.rng.chance(0.08) ? null : this.rng.pick(others);
    return { old_value: oldValue, new_value: newValue };
  }

  private userActor(u: User): AuditLogEventActor {
    // A user's email is occasionally null (an account deleted since).
    return { actor_type: 'user', gid: u.gid, name: u.name, email: this.rng.chance(0.02) ? null : u.email };
  }

  private userResource(u: User): AuditLogEventResource {
    return { resource_type: 'user', gid: u.gid, name: u.name, email: u.email };
  }

  private workspaceResource(): AuditLogEventResource {
    return { resource_type: 'workspace', gid: this.workspaceGid, name: this.workspaceName };
  }

  private entityResource(e: Entity, resourceType: string): AuditLogEventResource {
    return { resource_type: resourceType, gid: e.gid, name: e.name };
  }

  private group(e: Entity, resourceType: string): Record<string, unknown> {
    return { gid: e.gid, name: e.name, resource_type: resourceType };
  }

  /** A content object (task, attachment, …): fresh gid, name null when it is gone for good. */
  private objectResource(objectType: string): AuditLogEventResource {
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

  private humanContext(u: User, allowApi: boolean): AuditLogEventContext {
    const kind = this.rng.weighted({ api: allowApi ? 14 : 0, web: 60, desktop: 14, mobile: 12 });
    if (kind === 'api') return this.apiContext();
    const ua = kind === 'web' ? BROWSER_AGENTS : kind === 'desktop' ? DESKTOP_AGENTS : MOBILE_AGENTS;
    return { context_type: kind, client_ip_address: this.ipFor(u), user_agent: this.rng.pick(ua) };
  }

  private webContext(u: User): AuditLogEventContext {
    return { context_type: 'web', client_ip_address: this.ipFor(u), user_agent: this.rng.pick(BROWSER_AGENTS) };
  }

  private apiContext(method?: string, oauthApp?: string): AuditLogEventContext {
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
  private ipFor(u: User): string {
    return this.rng.chance(0.8) ? u.ip : this.randomIp();
  }

  /** Documentation ranges only: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32. */
  private randomIp(): string {
    if (this.rng.chance(0.15)) {
      const hex = () => this.rng.int(0, 0xffff).toString(16);
      return `2001:db8:${hex()}:${hex()}::${hex()}`;
    }
    return `${this.rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${this.rng.int(1, 254)}`;
  }

  private entityGid(): string {
    this.nextEntity += this.gidRng.int(1, 5_000);
    return String(this.nextEntity);
  }

  private entity(name: string): Entity {
    return { gid: this.entityGid(), name };
  }

  private user(name: string, local: string): User {
    return { gid: this.entityGid(), name, email: `${local}@example.com`, ip: this.randomIp() };
  }

  private freshUser(): User {
    const first = this.rng.pick(FIRST_NAMES);
    const last = this.rng.pick(LAST_NAMES);
    return this.user(`${first} ${last}`, `${ascii(first)}.${ascii(last)}.${this.rng.int(100, 999)}`);
  }
}

/** "Zoë" -> "zoe", for email local parts. */
function ascii(name: string): string {
  const folded = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ø/g, 'o')
    .replace(/ł/g, 'l')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
  return folded || 'user';
}

// ---- vocabulary ---------------------------------------------------------------------------------

/** [display name, email local part]; the first four are the domain's admins. */
export const NAMED_USERS: ReadonlyArray<readonly [string, string]> = [
  ['Zoë Ångström', 'zoe.angstrom'],
  ['Greg Sanchez', 'greg.sanchez'],
  ['Ольга Смирнова', 'olga.smirnova'],
  ['Priya Patel', 'priya.patel'],
  ['李雷', 'li.lei'],
  ['José Núñez', 'jose.nunez'],
  ["Siobhán O'Brien", 'siobhan.obrien'],
  ['Nguyễn Thị Minh', 'minh.nguyen'],
  ['محمد العلي', 'mohammed.alali'],
  ['Søren Kjærgaard', 'soren.kjaergaard'],
  ['Łukasz Żółkiewski', 'lukasz.zolkiewski'],
  ['Ayşe Yılmaz', 'ayse.yilmaz'],
  ['田中 花子', 'hanako.tanaka'],
  ['김민준', 'minjun.kim'],
  ['Chloé Dubois-Lefèvre', 'chloe.dubois'],
  ['Ezra 🌱 Green', 'ezra.green'],
  ['Amara Okafor', 'amara.okafor'],
  ['Ingrid Bergström', 'ingrid.bergstrom'],
];

const FIRST_NAMES = [
  'Alex', 'Sam', 'Jordan', 'Maria', 'Wei', 'Fatima', 'Lars', 'Ana', 'Kenji', 'Olu', 'Noor', 'Mateo',
  'Aiko', 'Björn', 'Élodie', 'Raúl', 'Dmitri', 'Leilani', 'Tomás', 'Hana', 'Ravi', 'Chen', 'Grace', 'Yusuf',
];
const LAST_NAMES = [
  'Smith', 'Garcia', 'Nakamura', 'Okonkwo', 'Müller', 'Rossi', 'Kowalski', 'Haddad', 'Johansson', 'Nguyen',
  'Fernández', 'Ivanov', 'Singh', 'Park', 'Dubois', 'Costa', 'Andersen', 'Osei', 'Zhang', 'Brennan',
];

const TEAM_NAMES = [
  'Engineering', 'Marketing 📣', 'Design ✏️', 'Sales – EMEA', 'Finance & Ops', '研发部', 'Поддержка',
  'People/HR', 'Legal', 'Security', 'Customer Success', 'Data Platform',
];
export const PROJECT_NAMES = [
  'Q3 Launch 🚀', 'Website redesign', 'Onboarding — new hires', 'SOC 2 audit', '年度计划 2025', 'Бюджет на год',
  'Café menu refresh ☕', 'Bug triage', 'Brand guidelines', 'Vendor contracts', 'Mobile app v9', 'Customer advisory board',
  'Office move: Zürich', 'Hiring pipeline', 'Data retention review',
];
export const PORTFOLIO_NAMES = ['Product roadmap', 'Customer programs', 'Exec priorities 🎯', 'Infrastructure'];
const DIVISION_NAMES = ['EMEA Division', 'Americas Division', 'APAC Division'];

export const OBJECT_NAMES: Readonly<Record<string, readonly string[]>> = {
  task: [
    'Review contract with ACME', 'Fix login bug on Safari', 'Prepare Q3 board deck', 'Обновить документацию',
    '整理会议纪要', 'Plan offsite 🏕️', 'Update SSO certificate', 'Draft release notes v2.4', 'Call with Zoë re: pricing',
    'Clean up backlog', 'Approve budget', 'Ship it!',
  ],
  project: PROJECT_NAMES,
  portfolio: PORTFOLIO_NAMES,
  goal: ['Reach 99.95% uptime', 'Grow ARR 30%', 'Hire 12 engineers', 'Zero critical vulns', 'NPS ≥ 50'],
  custom_field: ['Priority', 'Estimated hours', 'Risk 🔥', 'Stage', 'Kostenstelle'],
  message: ['Welcome to the team!', 'Re: launch timeline', 'Quarterly update', 'Привет всем'],
  team: TEAM_NAMES,
  attachment: [
    'Q3 plan.pdf', 'invoice-2024-07.xlsx', 'Screenshot 2024-06-01 at 10.15.32.png', 'Договор.docx', '设计稿.fig',
    'logo 🚀.svg', 'customer_export.csv',
  ],
  comment: ['Looks good to me 👍', 'Can we move this to next sprint?', 'Done.', 'Siehe Anhang'],
  status_update: ['Week 32 status', 'On track ✅', 'At risk: vendor delay', 'Off track'],
  task_template: ['Bug report', 'Event planning', 'Sprint retro'],
  project_template: ['Product launch', 'Employee onboarding', 'Campaign brief'],
  story: ['changed the due date', 'marked this task complete', 'added to Q3 Launch 🚀'],
  bundle: ['Engineering standard bundle', 'Marketing bundle'],
};

const SETTING_VALUES: Readonly<Record<string, readonly string[]>> = {
  workspace_security_contact_email_changed: ['security@example.com', 'secops@example.com', 'ciso@example.org'],
  workspace_google_sso_settings_changed: ['optional', 'required', 'disabled'],
  workspace_saml_settings_changed: ['optional', 'required', 'disabled'],
  workspace_saml_url_changed: ['https://idp.example.com/saml/sso', 'https://login.example.org/app/asana/sso/saml'],
  workspace_password_requirements_changed: ['simple', 'strong'],
  workspace_guest_invite_permissions_changed: ['anyone', 'members_and_admins', 'admins_only'],
  workspace_file_attachment_options_changed: ['box,dropbox,google_drive,onedrive', 'google_drive,onedrive', 'none'],
  workspace_default_team_privacy_settings_changed: ['public', 'request_to_join', 'private'],
  workspace_app_recipient_emails_changed: ['it@example.com', 'it@example.com,security@example.com'],
  workspace_default_session_duration_changed: ['never', '30_days', '7_days', '1_day', '12_hours'],
  workspace_app_admin_approval_setting_changed: ['enabled', 'disabled'],
  workspace_require_app_approvals_of_type_changed: ['all_apps', 'third_party_apps', 'none'],
  team_privacy_settings_changed: ['public', 'request_to_join', 'private'],
  project_privacy_settings_changed: ['public_to_workspace', 'private_to_team', 'private'],
  user_workspace_admin_role_changed: ['member', 'admin', 'super_admin'],
  user_division_admin_role_changed: ['division_member', 'division_admin'],
  user_team_admin_role_changed: ['team_member', 'team_admin'],
  service_account_name_changed: ['SIEM export', 'Splunk audit log', 'Okta SCIM', 'Audit → OTel'],
  workspace_quantum_settings_changed: ['classical', 'superposition', 'entangled'],
};

const ANNOUNCEMENTS = ['Scheduled maintenance on Saturday', 'Welcome to Asana, team! 🎉', 'New SSO policy from 1 July'];
const OAUTH_APPS = ['Slack', 'Microsoft Teams', 'Zapier', 'Jira Cloud', 'Salesforce', 'Google Workspace', 'Tableau'];
const TOKEN_NAMES = ['CI deploy token', 'My script', 'reporting', 'Ölçüm aracı'];
const SERVICE_ACCOUNTS = ['SIEM export', 'Splunk audit log', 'Okta SCIM', 'Data warehouse sync'];
export const RULE_NAMES = [
  'When task is moved to Done, mark complete',
  'Auto-delete stale tasks after 90 days',
  'Clean up intake 🧹',
  'When Task is added to this project',
];

const BROWSER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.92',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
];
const DESKTOP_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Asana/2.3.0 Chrome/124.0.6367.243 Electron/30.4.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Asana/2.3.0 Chrome/124.0.6367.243 Electron/30.4.0 Safari/537.36',
];
const MOBILE_AGENTS = [
  'Asana/8.105.1 (iPhone; iOS 17.5.1; Scale/3.00)',
  'Asana/8.104.0 (iPad; iPadOS 17.4; Scale/2.00)',
  'Asana/8.103.2 (Linux; Android 14; Pixel 8)',
];
const API_AGENTS = [
  'python-asana/5.0.8 Python/3.12.4',
  'node-asana/3.0.12',
  'Zapier',
  'okhttp/4.12.0',
  'curl/8.7.1',
  'Go-http-client/2.0',
];
