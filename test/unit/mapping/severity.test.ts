import { SeverityNumber } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import categories from '../../../src/mapping/event-categories.json' with { type: 'json' };
import { INFO_EVENT_TYPES, SEVERITY_INFO, SEVERITY_WARN, WARN_EVENT_TYPES, severityOf } from '../../../src/mapping/severity.ts';

/**
 * Event types announced in Asana's forum thread "Announcing Asana's Audit Log API" (updates until
 * 2023) that are not in event-categories.json (see docs/asana/SOURCES.md, "Known gaps").
 */
const ANNOUNCED_ONLY = [
  'workspace_share_links_enabled',
  'workspace_share_links_disabled',
  'workspace_job_title_field_editability_changed',
  'workspace_department_field_editability_changed',
  'workspace_mobile_app_copy_paste_enabled',
  'workspace_mobile_app_copy_paste_disabled',
  'workspace_mobile_app_attachments_sharing_enabled',
  'workspace_mobile_app_attachments_sharing_disabled',
  'workspace_mobile_app_widgets_enabled',
  'workspace_mobile_app_widgets_disabled',
  'workspace_mobile_app_screen_capture_enabled',
  'workspace_mobile_app_screen_capture_disabled',
  'workspace_mobile_app_biometric_authentication_required_enabled',
  'workspace_mobile_app_biometric_authentication_required_disabled',
  'workspace_mobile_app_biometric_authentication_duration_changed',
  'team_join_request_created',
  'team_join_team_request_management_access_level_changed',
  'team_edit_team_type_access_level_changed',
  'team_domain_member_invite_management_access_level_changed',
  'team_edit_team_trash_access_level_changed',
  'user_team_admin_role_changed',
  'team_member_removal_access_level_changed',
  'team_edit_team_description_access_level_changed',
  'team_domain_guest_invite_management_access_level_changed',
  'team_edit_team_name_access_level_changed',
  'workspace_machine_learning_product_feature_changed',
  'workspace_deprovisioning_project_include_completed_tasks_enabled',
  'workspace_deprovisioning_project_include_completed_tasks_disabled',
  'workspace_deprovisioning_project_recipient_changed',
  'workspace_create_deprovisioning_project_enabled',
  'workspace_create_deprovisioning_project_disabled',
  'workspace_audit_log_export_started',
  'bundle_deleted',
  'bundle_installation_deleted',
];

const warnTypes = Object.keys(WARN_EVENT_TYPES);
const infoTypes = Object.values(INFO_EVENT_TYPES).flat();
const knownTypes = [...Object.keys(categories), ...ANNOUNCED_ONLY];

describe('severity table', () => {
  it('reviews every known event type exactly once', () => {
    const reviewed = [...warnTypes, ...infoTypes];
    expect(new Set(reviewed).size, 'a type is listed twice').toBe(reviewed.length);
    const unreviewed = knownTypes.filter((type) => !reviewed.includes(type));
    expect(unreviewed).toEqual([]);
    const strays = reviewed.filter((type) => !knownTypes.includes(type));
    expect(strays, 'a reviewed type that no source lists (typo?)').toEqual([]);
  });

  it('gives every WARN entry a one-line reason', () => {
    for (const [type, reason] of Object.entries(WARN_EVENT_TYPES)) {
      expect(type).toMatch(/^[a-z0-9]+(_[a-z0-9]+)+$/);
      expect(reason.trim().length, type).toBeGreaterThan(10);
      expect(reason, type).not.toMatch(/\n/);
      expect(reason.length, type).toBeLessThanOrEqual(100);
    }
    for (const [reason, types] of Object.entries(INFO_EVENT_TYPES)) {
      expect(reason.trim().length).toBeGreaterThan(5);
      expect(types.length, reason).toBeGreaterThan(0);
    }
  });

  it('marks the signals of failure and weakened security as WARN', () => {
    const required = [
      'user_login_failed',
      'user_two_factor_auth_disabled',
      'workspace_require_two_factor_auth_disabled',
      'workspace_saml_settings_changed',
      'workspace_share_links_enabled',
      'project_share_link_enabled',
      'workspace_personal_access_token_enabled',
      'service_account_created',
      'user_personal_access_token_authorized',
      'workspace_password_requirements_changed',
      'user_workspace_admin_role_changed',
    ];
    for (const type of required) expect(severityOf(type), type).toBe(SEVERITY_WARN);
    // Every export and every permanent deletion, whatever its prefix.
    for (const type of knownTypes.filter((t) => t.endsWith('_export_started') || t.endsWith('_permanently_deleted'))) {
      expect(severityOf(type), type).toBe(SEVERITY_WARN);
    }
  });

  it('keeps routine and tightening events at INFO', () => {
    for (const type of [
      'user_login_succeeded',
      'user_two_factor_auth_enabled',
      'workspace_require_two_factor_auth_enabled',
      'workspace_share_links_disabled',
      'task_deleted',
      'task_undeleted',
      'attachment_downloaded',
      'team_member_added',
    ]) {
      expect(severityOf(type), type).toBe(SEVERITY_INFO);
    }
  });

  it('maps to the OpenTelemetry severity numbers and texts', () => {
    expect(SEVERITY_WARN).toEqual({ severityNumber: SeverityNumber.WARN, severityText: 'WARN' });
    expect(SEVERITY_INFO).toEqual({ severityNumber: SeverityNumber.INFO, severityText: 'INFO' });
    expect(SEVERITY_WARN.severityNumber).toBe(13);
    expect(SEVERITY_INFO.severityNumber).toBe(9);
  });

  it('treats unknown types as INFO, including names of Object.prototype members', () => {
    for (const type of [undefined, '', 'workspace_quantum_entanglement_enabled', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'USER_LOGIN_FAILED', ' user_login_failed']) {
      expect(severityOf(type), String(type)).toBe(SEVERITY_INFO);
    }
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(WARN_EVENT_TYPES)).toBe(true);
    expect(Object.isFrozen(INFO_EVENT_TYPES)).toBe(true);
    expect(Object.isFrozen(SEVERITY_WARN)).toBe(true);
  });
});
