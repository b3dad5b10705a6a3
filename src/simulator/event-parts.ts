import type { AuditLogEventActor, AuditLogEventContext, AuditLogEventResource } from '../asana/types.ts';
import type { Population } from './population.ts';
import { ANNOUNCEMENTS, OAUTH_APPS, RULE_NAMES, TEAM_NAMES, SERVICE_ACCOUNTS, TOKEN_NAMES } from './vocabulary.ts';

/**
 * What one audit event of a type says: actor, resource, details and context, per category, as
 * Asana's AuditLogEvent schema describes them (https://developers.asana.com/reference/getauditlogevents):
 * old_value/new_value on *_changed settings; `group` on role and membership changes;
 * `saml_response: null` on logins.
 */

/** Parts of one event that the builders fill in; gid, created_at and type are added around them. */
export interface Parts {
  actor: AuditLogEventActor;
  resource: AuditLogEventResource;
  details: Record<string, unknown>;
  context: AuditLogEventContext;
}

export function eventParts(d: Population, type: string, category: string): Parts {
  switch (category) {
    case 'logins':
      return login(d, type);
    case 'user_updates':
      return userUpdate(d, type);
    case 'admin_settings':
      return adminSetting(d, type);
    case 'roles':
      return roleChange(d, type);
    case 'content_export':
      return contentExport(d, type);
    case 'access_control':
      return accessControl(d, type);
    case 'apps':
      return app(d, type);
    case 'creation':
      return creation(d, type);
    case 'deletion':
      return deletion(d, type);
    default:
      return futureSetting(d, type);
  }
}

function login(d: Population, type: string): Parts {
  const u = d.rng.pick(d.users);
  const anonymous = type === 'user_login_failed' && d.rng.chance(0.3);
  return {
    actor: anonymous ? { actor_type: 'anonymous' } : d.userActor(u),
    resource: d.userResource(u),
    // Asana: saml_response is present on login events, null unless the IdP answered with SAML.
    details: type === 'user_logged_out' ? {} : { saml_response: null },
    context: d.humanContext(u, false),
  };
}

function userUpdate(d: Population, type: string): Parts {
  const u = d.rng.pick(d.users);
  const admin = d.rng.pick(d.admins);
  switch (type) {
    case 'user_invited': {
      const invitee = d.freshUser();
      return {
        actor: d.userActor(admin),
        // Invitees have no name until they sign up.
        resource: { resource_type: 'user', gid: invitee.gid, name: d.rng.chance(0.4) ? null : invitee.name, email: invitee.email },
        details: { is_guest: d.rng.chance(0.3) },
        context: d.humanContext(admin, true),
      };
    }
    case 'user_deprovisioned':
    case 'user_reprovisioned': {
      const scim = d.rng.chance(0.5);
      return {
        actor: scim ? { actor_type: 'external_administrator' } : d.userActor(admin),
        resource: d.userResource(u),
        details: {},
        context: scim ? d.apiContext('oauth', 'Okta') : d.humanContext(admin, false),
      };
    }
    case 'user_forgot_password_started':
      return { actor: { actor_type: 'anonymous' }, resource: d.userResource(u), details: {}, context: d.webContext(u) };
    case 'user_csv_import_started':
      return {
        actor: d.userActor(admin),
        resource: d.workspaceResource(),
        details: { row_count: d.rng.int(2, 2500) },
        context: d.webContext(admin),
      };
    case 'domain_user_billing_paused':
    case 'domain_user_billing_unpaused':
      return { actor: { actor_type: 'asana' }, resource: d.userResource(u), details: {}, context: { context_type: 'asana' } };
    default:
      // Password and two-factor changes: made by the user themself.
      return { actor: d.userActor(u), resource: d.userResource(u), details: {}, context: d.humanContext(u, false) };
  }
}

function adminSetting(d: Population, type: string): Parts {
  const admin = d.rng.pick(d.admins);
  const support = d.rng.chance(0.08);
  const actor: AuditLogEventActor = support ? { actor_type: 'asana_support' } : d.userActor(admin);
  const context: AuditLogEventContext = support
    ? { context_type: 'asana_support', on_behalf_of_user_id: Number(admin.gid) }
    : d.humanContext(admin, false);
  let resource = d.workspaceResource();
  if (type.startsWith('workspace_announcement_')) {
    resource = { resource_type: 'workspace_announcement', gid: d.entityGid(), name: d.rng.pick(ANNOUNCEMENTS) };
  } else if (type.startsWith('workspace_associated_email_domain_') || type === 'workspace_saml_settings_changed') {
    resource = { resource_type: 'email_domain', gid: d.entityGid(), name: d.rng.pick(['example.com', 'example.org', 'eu.example.com']) };
  }
  let details: Record<string, unknown> = {};
  if (type.endsWith('_changed')) details = d.change(type);
  else if (type === 'workspace_force_password_reset') details = { affected_user_count: d.rng.int(1, d.users.length) };
  return { actor, resource, details, context };
}

function roleChange(d: Population, type: string): Parts {
  const admin = d.rng.pick(d.admins);
  const details = d.change(type);
  if (type === 'user_division_admin_role_changed') details.group = d.group(d.rng.pick(d.divisions), 'division');
  else if (type === 'user_team_admin_role_changed') details.group = d.group(d.rng.pick(d.teams), 'team');
  else details.group = { gid: d.workspaceGid, name: d.workspaceName, resource_type: 'workspace' };
  return {
    actor: d.userActor(admin),
    resource: d.userResource(d.rng.pick(d.users)),
    details,
    context: d.humanContext(admin, false),
  };
}

function contentExport(d: Population, type: string): Parts {
  const u = d.rng.chance(0.5) ? d.rng.pick(d.admins) : d.rng.pick(d.users);
  let resource: AuditLogEventResource = d.workspaceResource();
  let details: Record<string, unknown> = {};
  switch (type) {
    case 'project_csv_export_started':
      resource = d.entityResource(d.rng.pick(d.projects), 'project');
      break;
    case 'division_teams_export_started':
      resource = d.entityResource(d.rng.pick(d.divisions), 'division');
      break;
    case 'search_report_export_started':
      resource = { resource_type: 'search_report', gid: d.entityGid(), name: d.rng.pick(['My open tasks', 'Overdue — all teams', 'Bugs 🐞 this week']) };
      details = { result_count: d.rng.int(0, 5000) };
      break;
    case 'attachment_downloaded':
      resource = d.objectResource('attachment');
      details = { file_size_bytes: d.rng.int(1_024, 80_000_000), is_preview: d.rng.chance(0.2) };
      break;
    case 'object_export_started':
      resource = d.entityResource(d.rng.pick(d.projects), 'project');
      details = { export_format: d.rng.pick(['csv', 'json', 'pdf']), include_subtasks: d.rng.chance(0.5) };
      break;
    case 'workspace_export_started':
      details = { export_format: 'json' };
      break;
  }
  return { actor: d.userActor(u), resource, details, context: d.humanContext(u, true) };
}

function accessControl(d: Population, type: string): Parts {
  const u = d.rng.pick(d.users);
  const actor = d.userActor(d.rng.chance(0.4) ? d.rng.pick(d.admins) : u);
  const context = d.humanContext(u, true);
  if (type.startsWith('team_member_')) {
    return { actor, resource: d.userResource(d.rng.pick(d.users)), details: { group: d.group(d.rng.pick(d.teams), 'team') }, context };
  }
  if (type.startsWith('project_member_')) {
    return {
      actor,
      resource: d.userResource(d.rng.pick(d.users)),
      details: { group: d.group(d.rng.pick(d.projects), 'project'), access_level: d.rng.pick(['editor', 'commenter', 'viewer', 'admin']) },
      context,
    };
  }
  if (type.startsWith('portfolio_member_')) {
    return { actor, resource: d.userResource(d.rng.pick(d.users)), details: { group: d.group(d.rng.pick(d.portfolios), 'portfolio') }, context };
  }
  if (type === 'team_privacy_settings_changed') {
    return { actor, resource: d.entityResource(d.rng.pick(d.teams), 'team'), details: d.change(type), context };
  }
  const details = type === 'project_privacy_settings_changed' ? d.change(type) : {};
  return { actor, resource: d.entityResource(d.rng.pick(d.projects), 'project'), details, context };
}

function app(d: Population, type: string): Parts {
  const u = d.rng.pick(d.users);
  const admin = d.rng.pick(d.admins);
  if (type.startsWith('team_harvest_integration_')) {
    return { actor: d.userActor(u), resource: d.entityResource(d.rng.pick(d.teams), 'team'), details: {}, context: d.webContext(u) };
  }
  if (type.startsWith('user_app_')) {
    const app = d.rng.pick(OAUTH_APPS);
    return {
      actor: d.userActor(u),
      resource: { resource_type: 'app', gid: d.entityGid(), name: app },
      details: {},
      context: type === 'user_app_authorized' ? d.apiContext('oauth', app) : d.webContext(u),
    };
  }
  if (type.startsWith('user_personal_access_token_')) {
    return {
      actor: d.userActor(u),
      resource: { resource_type: 'personal_access_token', gid: d.entityGid(), name: d.rng.pick(TOKEN_NAMES) },
      details: {},
      context: d.webContext(u),
    };
  }
  // service_account_*: an admin manages the domain's service accounts.
  const details = type === 'service_account_name_changed' ? d.change(type) : {};
  return {
    actor: d.userActor(admin),
    resource: { resource_type: 'service_account', gid: d.entityGid(), name: d.rng.pick(SERVICE_ACCOUNTS) },
    details,
    context: d.webContext(admin),
  };
}

function creation(d: Population, type: string): Parts {
  const u = d.rng.pick(d.users);
  if (type === 'team_created') {
    return { actor: d.userActor(u), resource: d.entityResource(d.entity(d.rng.pick(TEAM_NAMES)), 'team'), details: {}, context: d.humanContext(u, true) };
  }
  const viaEmail = d.rng.chance(0.1);
  return {
    actor: d.userActor(u),
    resource: d.objectResource('attachment'),
    details: { file_size_bytes: d.rng.int(200, 120_000_000), host: d.rng.pick(['asana', 'asana', 'google_drive', 'dropbox', 'onedrive', 'box']) },
    context: viaEmail ? { context_type: 'email' } : d.humanContext(u, true),
  };
}

function deletion(d: Population, type: string): Parts {
  const objectType = type.replace(/_(permanently_deleted|deleted|undeleted)$/, '');
  const permanent = type.endsWith('_permanently_deleted');
  // Asana empties the trash itself (permanent deletion) and rules delete tasks.
  if (permanent ? d.rng.chance(0.7) : d.rng.chance(0.08)) {
    const context: AuditLogEventContext = { context_type: 'asana' };
    if (!permanent) context.rule_name = d.rng.pick(RULE_NAMES);
    return { actor: { actor_type: 'asana' }, resource: d.objectResource(objectType), details: {}, context };
  }
  const u = d.rng.pick(d.users);
  return { actor: d.userActor(u), resource: d.objectResource(objectType), details: {}, context: d.humanContext(u, true) };
}

/** An invented type of a category nobody knows yet: a setting with a few extra fields. */
function futureSetting(d: Population, type: string): Parts {
  const admin = d.rng.pick(d.admins);
  return {
    actor: d.userActor(admin),
    resource: d.workspaceResource(),
    details: { ...d.change(type), qubits: d.rng.int(2, 64), reversible: d.rng.chance(0.5) },
    context: d.humanContext(admin, true),
  };
}
