import { SeverityNumber } from '@opentelemetry/api';

/**
 * Severity of an audit-log event, from a reviewed table.
 *
 * Rule: WARN when the event type itself says something failed, a security control was weakened or
 * may have been (a change whose direction the type does not tell, on sign-in, session, token, app
 * approval or link settings), content was opened to people holding a link or to no one signed in,
 * data left Asana in bulk, data was destroyed beyond the trash, a domain-wide credential was created,
 * or admin rights changed. Everything else is INFO, including the reverse (tightening) events.
 *
 * Every type in event-categories.json and in Asana's "Announcing Asana's Audit Log API" thread
 * (forum.asana.com, updates until 2023) was reviewed and sits in exactly one of the two tables
 * (test/unit/mapping/severity.test.ts checks that). Types not in either table are INFO: Asana adds
 * event types over time, and a guess from a name pattern would be an unreviewed decision. Review new
 * types here instead.
 */
export interface Severity {
  severityNumber: SeverityNumber;
  severityText: 'INFO' | 'WARN';
}

export const SEVERITY_INFO: Readonly<Severity> = Object.freeze({ severityNumber: SeverityNumber.INFO, severityText: 'INFO' });
export const SEVERITY_WARN: Readonly<Severity> = Object.freeze({ severityNumber: SeverityNumber.WARN, severityText: 'WARN' });

/** event_type -> why it is WARN (one line each). */
export const WARN_EVENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  // logins
  user_login_failed: 'failed sign-in: brute force or credential stuffing signal',
  // user_updates
  user_two_factor_auth_disabled: 'account lost its second factor: a stolen password alone now opens it',
  // admin_settings: sign-in, session and token policy
  workspace_require_two_factor_auth_disabled: '2FA no longer required in the domain: passwords alone open accounts',
  workspace_saml_settings_changed: 'SAML enforcement changed and may now be optional or off',
  workspace_saml_url_changed: 'sign-in now trusts another IdP URL: a rogue IdP would take over every account',
  workspace_google_sso_settings_changed: 'Google SSO enforcement changed and may now be optional or off',
  workspace_password_requirements_changed: 'password policy changed and may have been weakened',
  workspace_default_session_duration_changed: 'session lifetime changed and may now be longer or never expire',
  workspace_personal_access_token_enabled: 'members may mint personal access tokens: long-lived credentials outside SSO',
  workspace_security_contact_email_changed: 'security notices now go to another address: an intruder could divert alerts',
  // admin_settings: who gets in, what third parties may connect
  workspace_associated_email_domain_added: 'addresses of a new email domain join as full members: may admit outsiders',
  workspace_guest_invite_permissions_changed: 'who may invite guests changed and may now include anyone',
  workspace_app_admin_approval_setting_changed: 'admin approval of apps changed and may now be off',
  workspace_require_app_approvals_of_type_changed: 'app types that need approval changed: apps may now connect unreviewed',
  // admin_settings: content reachable by link or without sign-in
  workspace_share_links_enabled: 'share links allowed in the domain: content opens for whoever holds a link',
  workspace_view_links_enabled: 'view links allowed in the domain: content readable by whoever holds a link',
  workspace_form_link_authentication_required_disabled: 'forms accept submissions without sign-in: anonymous input into the domain',
  workspace_logged_out_view_authentication_required_disabled: 'logged-out views no longer require sign-in: content visible unauthenticated',
  // admin_settings: mobile app data-loss controls (announced 2023)
  workspace_mobile_app_copy_paste_enabled: 'mobile copy-paste allowed: a data-loss control was lifted',
  workspace_mobile_app_attachments_sharing_enabled: 'mobile attachment sharing allowed: files can leave through other apps',
  workspace_mobile_app_screen_capture_enabled: 'mobile screen capture allowed: a data-loss control was lifted',
  workspace_mobile_app_biometric_authentication_required_disabled: 'mobile app opens without a biometric check: weaker device sign-in',
  workspace_mobile_app_biometric_authentication_duration_changed: 'biometric re-check interval changed and may now be longer',
  // roles
  user_workspace_admin_role_changed: 'domain admin rights granted or removed: privilege change to verify',
  user_division_admin_role_changed: 'division admin rights granted or removed: privilege change to verify',
  // content_export: bulk data leaving Asana
  workspace_export_started: 'full organization export: all data leaving Asana',
  workspace_attachment_export_started: 'bulk attachment export: files leaving Asana',
  workspace_members_export_started: 'member list export: names and emails leaving Asana',
  workspace_teams_export_started: 'team list export: data leaving Asana',
  division_teams_export_started: 'division team list export: data leaving Asana',
  search_report_export_started: 'search report export: data leaving Asana',
  project_csv_export_started: 'project CSV export: data leaving Asana',
  object_export_started: 'object export: data leaving Asana',
  workspace_audit_log_export_started: 'audit trail export: shows an intruder what is recorded, and data leaves Asana',
  // access_control: links
  project_share_link_enabled: 'project share link on: whoever holds the link can join the project',
  project_view_link_enabled: 'project view link on: whoever holds the link can read the project',
  // apps: new credentials
  service_account_created: 'new service account: an API token with access to the whole domain',
  user_personal_access_token_authorized: 'new personal access token: long-lived credential, typical persistence after account takeover',
  // deletion: past the trash
  task_permanently_deleted: 'task destroyed past the trash: cannot be restored',
  message_permanently_deleted: 'message destroyed past the trash: cannot be restored',
  status_update_permanently_deleted: 'status update destroyed past the trash: cannot be restored',
});

/** Types reviewed and left at INFO, grouped by the reason. */
export const INFO_EVENT_TYPES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'routine sign-in activity': ['user_login_succeeded', 'user_logged_out'],
  'account lifecycle and self-service (deprovisioning is routine offboarding)': [
    'user_invited',
    'user_deprovisioned',
    'user_reprovisioned',
    'user_forgot_password_started',
    'user_password_reset',
    'user_password_changed',
    'user_two_factor_auth_enabled',
    'user_csv_import_started',
    'domain_user_billing_paused',
    'domain_user_billing_unpaused',
  ],
  'tightens a control, or undoes a WARN change': [
    'workspace_force_password_reset',
    'workspace_require_two_factor_auth_enabled',
    'workspace_personal_access_token_disabled',
    'workspace_associated_email_domain_removed',
    'workspace_share_links_disabled',
    'workspace_view_links_disabled',
    'workspace_form_link_authentication_required_enabled',
    'workspace_logged_out_view_authentication_required_enabled',
    'workspace_mobile_app_copy_paste_disabled',
    'workspace_mobile_app_attachments_sharing_disabled',
    'workspace_mobile_app_screen_capture_disabled',
    'workspace_mobile_app_biometric_authentication_required_enabled',
    'project_share_link_disabled',
    'project_view_link_disabled',
    'user_app_revoked',
    'user_personal_access_token_revoked',
    'service_account_deleted',
  ],
  'workspace feature settings without security weight': [
    'workspace_file_attachment_options_changed',
    'workspace_default_team_privacy_settings_changed',
    'workspace_wide_reporting_enabled',
    'workspace_wide_reporting_disabled',
    'workspace_app_recipient_emails_changed',
    'workspace_announcement_created',
    'workspace_announcement_removed',
    'workspace_form_is_embeddable_forms_enabled',
    'workspace_form_is_embeddable_forms_disabled',
    'workspace_baa_signed',
    'workspace_job_title_field_editability_changed',
    'workspace_department_field_editability_changed',
    'workspace_mobile_app_widgets_enabled',
    'workspace_mobile_app_widgets_disabled',
    'workspace_machine_learning_product_feature_changed',
    'workspace_deprovisioning_project_include_completed_tasks_enabled',
    'workspace_deprovisioning_project_include_completed_tasks_disabled',
    'workspace_deprovisioning_project_recipient_changed',
    'workspace_create_deprovisioning_project_enabled',
    'workspace_create_deprovisioning_project_disabled',
  ],
  'membership, privacy and team permissions inside the domain (everyday collaboration)': [
    'team_privacy_settings_changed',
    'project_privacy_settings_changed',
    'team_member_added',
    'team_member_removed',
    'project_member_added',
    'project_member_removed',
    'portfolio_member_added',
    'portfolio_member_removed',
    'team_join_request_created',
    'team_join_team_request_management_access_level_changed',
    'team_edit_team_type_access_level_changed',
    'team_domain_member_invite_management_access_level_changed',
    'team_edit_team_trash_access_level_changed',
    'team_member_removal_access_level_changed',
    'team_edit_team_description_access_level_changed',
    'team_domain_guest_invite_management_access_level_changed',
    'team_edit_team_name_access_level_changed',
    'user_team_admin_role_changed',
  ],
  'single-item download: high volume, bulk exports are WARN': ['attachment_downloaded'],
  'routine app use by one user or team (app approval policy changes are WARN)': [
    'user_app_authorized',
    'team_harvest_integration_enabled',
    'team_harvest_integration_disabled',
    'service_account_name_changed',
  ],
  'creation': ['team_created', 'attachment_uploaded'],
  'deletion to the trash, or restore from it: recoverable': [
    'task_deleted',
    'task_undeleted',
    'project_deleted',
    'project_undeleted',
    'portfolio_deleted',
    'portfolio_undeleted',
    'goal_deleted',
    'goal_undeleted',
    'custom_field_deleted',
    'custom_field_undeleted',
    'message_deleted',
    'message_undeleted',
    'team_deleted',
    'team_undeleted',
    'attachment_deleted',
    'attachment_undeleted',
    'comment_deleted',
    'comment_undeleted',
    'status_update_deleted',
    'status_update_undeleted',
    'task_template_deleted',
    'task_template_undeleted',
    'project_template_deleted',
    'project_template_undeleted',
    'story_deleted',
    'story_undeleted',
    'bundle_deleted',
    'bundle_installation_deleted',
  ],
});

/** WARN for the types in WARN_EVENT_TYPES, INFO for everything else (known or not). */
export function severityOf(eventType: string | undefined): Readonly<Severity> {
  return eventType !== undefined && WARN_TYPES.has(eventType) ? SEVERITY_WARN : SEVERITY_INFO;
}

/**
 * The keys of WARN_EVENT_TYPES as a Set, for the lookup of every event: a Set never answers for
 * "constructor" or "__proto__", and unlike an object it does not have to internalize each event_type
 * string JSON.parse just made (about 0.3 µs per event).
 */
const WARN_TYPES: ReadonlySet<string> = new Set(Object.keys(WARN_EVENT_TYPES));
