/** The words of the simulated domain: people, teams, projects, objects, settings, user agents. */

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

export const FIRST_NAMES = [
  'Alex', 'Sam', 'Jordan', 'Maria', 'Wei', 'Fatima', 'Lars', 'Ana', 'Kenji', 'Olu', 'Noor', 'Mateo',
  'Aiko', 'Björn', 'Élodie', 'Raúl', 'Dmitri', 'Leilani', 'Tomás', 'Hana', 'Ravi', 'Chen', 'Grace', 'Yusuf',
];
export const LAST_NAMES = [
  'Smith', 'Garcia', 'Nakamura', 'Okonkwo', 'Müller', 'Rossi', 'Kowalski', 'Haddad', 'Johansson', 'Nguyen',
  'Fernández', 'Ivanov', 'Singh', 'Park', 'Dubois', 'Costa', 'Andersen', 'Osei', 'Zhang', 'Brennan',
];

export const TEAM_NAMES = [
  'Engineering', 'Marketing 📣', 'Design ✏️', 'Sales – EMEA', 'Finance & Ops', '研发部', 'Поддержка',
  'People/HR', 'Legal', 'Security', 'Customer Success', 'Data Platform',
];
export const PROJECT_NAMES = [
  'Q3 Launch 🚀', 'Website redesign', 'Onboarding — new hires', 'SOC 2 audit', '年度计划 2025', 'Бюджет на год',
  'Café menu refresh ☕', 'Bug triage', 'Brand guidelines', 'Vendor contracts', 'Mobile app v9', 'Customer advisory board',
  'Office move: Zürich', 'Hiring pipeline', 'Data retention review',
];
export const PORTFOLIO_NAMES = ['Product roadmap', 'Customer programs', 'Exec priorities 🎯', 'Infrastructure'];
export const DIVISION_NAMES = ['EMEA Division', 'Americas Division', 'APAC Division'];

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

export const SETTING_VALUES: Readonly<Record<string, readonly string[]>> = {
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

export const ANNOUNCEMENTS = ['Scheduled maintenance on Saturday', 'Welcome to Asana, team! 🎉', 'New SSO policy from 1 July'];
export const OAUTH_APPS = ['Slack', 'Microsoft Teams', 'Zapier', 'Jira Cloud', 'Salesforce', 'Google Workspace', 'Tableau'];
export const TOKEN_NAMES = ['CI deploy token', 'My script', 'reporting', 'Ölçüm aracı'];
export const SERVICE_ACCOUNTS = ['SIEM export', 'Splunk audit log', 'Okta SCIM', 'Data warehouse sync'];
export const RULE_NAMES = [
  'When task is moved to Done, mark complete',
  'Auto-delete stale tasks after 90 days',
  'Clean up intake 🧹',
  'When Task is added to this project',
];

export const BROWSER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.92',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
];
export const DESKTOP_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Asana/2.3.0 Chrome/124.0.6367.243 Electron/30.4.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Asana/2.3.0 Chrome/124.0.6367.243 Electron/30.4.0 Safari/537.36',
];
export const MOBILE_AGENTS = [
  'Asana/8.105.1 (iPhone; iOS 17.5.1; Scale/3.00)',
  'Asana/8.104.0 (iPad; iPadOS 17.4; Scale/2.00)',
  'Asana/8.103.2 (Linux; Android 14; Pixel 8)',
];
export const API_AGENTS = [
  'python-asana/5.0.8 Python/3.12.4',
  'node-asana/3.0.12',
  'Zapier',
  'okhttp/4.12.0',
  'curl/8.7.1',
  'Go-http-client/2.0',
];

/** "Zoë" -> "zoe", for email local parts. */
export function ascii(name: string): string {
  const folded = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ø/g, 'o')
    .replace(/ł/g, 'l')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
  return folded || 'user';
}
