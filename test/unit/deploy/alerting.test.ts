import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mapAuditLogEvent } from '../../../src/mapping/audit-log.ts';
import { ATTR_ASANA_EVENT_TYPE } from '../../../src/mapping/attributes.ts';
import { EVENT_CATEGORIES, EventGenerator } from '../../../src/simulator/index.ts';
import { createSelfMetrics, METRIC } from '../../../src/telemetry/metrics.ts';
import { StreamStatusBoard } from '../../../src/telemetry/stream-status.ts';
import { isEmittedAttribute, lokiName } from '../../helpers/emitted-attributes.ts';
import { startOtlpCollector, type OtlpCollector } from '../../helpers/otlp-collector.ts';
import { prometheusLabelName, prometheusMetricName } from '../../helpers/prometheus-names.ts';
import { captureLogger, ROOT } from '../../helpers/receiver.ts';

/**
 * deploy/alerting: no Loki, Datadog or Prometheus here, so every rule is run against what the
 * receiver really emits. Security detections: the records the mapping makes of simulated events,
 * named as Loki stores them (structured metadata, `.` as `_`) or as Datadog sees them after
 * transform/datadog; each detection must match records of the event types it is meant for and no
 * record of any other type. Health rules: the metric and label names of an export of the receiver's
 * own metrics, as Prometheus names them.
 */

type Obj = Record<string, any>;
type Attrs = Record<string, string>;
/** The resource's service.name on audit records (the default of OTEL_SERVICE_NAME). */
const SERVICE_NAME = 'asana';

// ---- what the receiver emits for simulated events --------------------------------------------------
const generator = new EventGenerator({ seed: 7, workspaceGid: '1200000000000001' });
const now = Date.now();
const records: Attrs[] = generator.generate(40_000, now - 24 * 3600_000, now).map((e) => {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(mapAuditLogEvent(e, new Date(now)).attributes)) if (v !== undefined && v !== null) out[k] = String(v);
  return out;
});
const typeOf = (r: Attrs) => r[ATTR_ASANA_EVENT_TYPE]!;
const SIMULATED_TYPES = new Set(records.map(typeOf));

/** What each detection is for: the event types it must fire on (and, by omission, every other type it must not). */
const DETECTIONS: Record<string, readonly string[]> = {
  failed_logins_per_user: ['user_login_failed'],
  failed_logins_per_ip: ['user_login_failed'],
  admin_role_granted: ['user_workspace_admin_role_changed', 'user_division_admin_role_changed', 'user_team_admin_role_changed'],
  sso_weakened: ['workspace_saml_settings_changed', 'workspace_google_sso_settings_changed'],
  saml_idp_changed: ['workspace_saml_url_changed'],
  two_factor_weakened: ['workspace_require_two_factor_auth_disabled', 'user_two_factor_auth_disabled'],
  password_policy_weakened: ['workspace_password_requirements_changed'],
  content_export: Object.keys(EVENT_CATEGORIES).filter((t) => EVENT_CATEGORIES[t] === 'content_export' && t !== 'attachment_downloaded'),
  attachment_downloads: ['attachment_downloaded'],
  new_credentials: ['service_account_created', 'user_personal_access_token_authorized'],
  permanent_deletion: Object.keys(EVENT_CATEGORIES).filter((t) => t.endsWith('_permanently_deleted')),
};
const LOKI_RULES: Record<string, string> = {
  AsanaFailedLoginBurstPerUser: 'failed_logins_per_user',
  AsanaFailedLoginBurstPerIp: 'failed_logins_per_ip',
  AsanaAdminRoleGranted: 'admin_role_granted',
  AsanaSsoWeakened: 'sso_weakened',
  AsanaSamlIdentityProviderChanged: 'saml_idp_changed',
  AsanaTwoFactorWeakened: 'two_factor_weakened',
  AsanaPasswordPolicyWeakened: 'password_policy_weakened',
  AsanaContentExport: 'content_export',
  AsanaAttachmentDownloadBurst: 'attachment_downloads',
  AsanaNewServiceAccountOrToken: 'new_credentials',
  AsanaPermanentDeletion: 'permanent_deletion',
};
const DATADOG_MONITORS: Record<string, string> = {
  'Asana: failed-login burst per account': 'failed_logins_per_user',
  'Asana: failed-login burst per IP': 'failed_logins_per_ip',
  'Asana: admin role granted': 'admin_role_granted',
  'Asana: single sign-on no longer required': 'sso_weakened',
  'Asana: SAML identity provider changed': 'saml_idp_changed',
  'Asana: two-factor authentication turned off': 'two_factor_weakened',
  'Asana: password requirements relaxed': 'password_policy_weakened',
  'Asana: content export': 'content_export',
  'Asana: attachment download burst': 'attachment_downloads',
  'Asana: new service account or personal access token': 'new_credentials',
  'Asana: permanent deletion by a person': 'permanent_deletion',
};

/** A detection matches records of its types, never one of another type, and names who did it. */
function checkDetection(where: string, detection: string, matches: (r: Attrs) => boolean, groupBy: string[], present: (r: Attrs, name: string) => boolean): void {
  const types = DETECTIONS[detection]!;
  for (const t of types) expect(SIMULATED_TYPES.has(t), `the simulator emits ${t}`).toBe(true);
  const matched = records.filter(matches);
  for (const t of types) expect(matched.some((r) => typeOf(r) === t), `${where} fires on a simulated ${t}`).toBe(true);
  const strays = [...new Set(matched.map(typeOf).filter((t) => !types.includes(t)))];
  expect(strays, `${where} fires on other event types`).toEqual([]);
  for (const name of groupBy) expect(matched.some((r) => present(r, name)), `${where}: group-by ${name} is on the matching records`).toBe(true);
}

// ---- LogQL: the subset the rules use, evaluated on one record ----------------------------------------
interface Matcher { name: string; op: string; value: string }
const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|==|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

function parseLogqlRule(expr: string): { selector: Matcher[]; filters: Matcher[]; groupBy: string[] } {
  const m = /^sum by \(([^)]*)\) \(count_over_time\((\{[^}]*\})((?:\s*\|[^[]+)*)\s*\[\d+[smh]\]\)\) (?:>=|>) \d+$/.exec(expr.trim());
  if (!m) throw new Error(`not the shape the rules use: sum by (...) (count_over_time({...} | filters [window])) > N: ${expr}`);
  const parse1 = (s: string) => {
    const mm = MATCHER.exec(s);
    if (!mm) throw new Error(`unsupported matcher or stage "${s}" in ${expr}`);
    return { name: mm[1]!, op: mm[2]!, value: mm[3]!.replace(/\\(.)/g, '$1') };
  };
  return {
    groupBy: m[1]!.split(',').map((s) => s.trim()),
    selector: m[2]!.slice(1, -1).split(',').map(parse1),
    filters: [...m[3]!.matchAll(/\|\s*([^|"]*"(?:[^"\\]|\\.)*")/g)].map((f) => parse1(f[1]!)),
  };
}

function logqlMatches(ms: Matcher, labels: Attrs): boolean {
  const v = labels[ms.name] ?? '';
  // LogQL regular expressions are anchored at both ends.
  const re = () => new RegExp(`^(?:${ms.value})$`);
  switch (ms.op) {
    case '=': case '==': return v === ms.value;
    case '!=': return v !== ms.value;
    case '=~': return re().test(v);
    case '!~': return !re().test(v);
    default: throw new Error(ms.op);
  }
}

/** A record as Loki stores it: the resource's service.name as a label, attributes as structured metadata. */
function lokiView(r: Attrs): Attrs {
  const out: Attrs = { service_name: SERVICE_NAME };
  for (const [k, v] of Object.entries(r)) out[lokiName(k)] = v;
  return out;
}
const LOKI_NAMES = new Set(['service_name', ...records.flatMap((r) => Object.keys(lokiView(r)))]);

// ---- Datadog log search: the subset the monitors use ------------------------------------------------
const datadogConfig = parse(readFileSync(join(ROOT, 'deploy/collector/datadog.yaml'), 'utf8')) as Obj;

/** transform/datadog's statements applied to a record, as the collector would. */
function datadogView(r: Attrs): Attrs {
  const out: Attrs = { ...r };
  for (const s of datadogConfig.processors['transform/datadog'].log_statements as string[]) {
    const copy = /^set\(log\.attributes\["([^"]+)"\], log\.attributes\["([^"]+)"\]\) where log\.attributes\["\2"\] != nil$/.exec(s);
    const literal = /^set\(log\.attributes\["([^"]+)"\], "([^"]*)"\) where log\.attributes\["([^"]+)"\] != nil$/.exec(s);
    if (copy) {
      if (out[copy[2]!] !== undefined) out[copy[1]!] = out[copy[2]!]!;
    } else if (literal) {
      if (out[literal[3]!] !== undefined) out[literal[1]!] = literal[2]!;
    } else throw new Error(`transform statement the test cannot apply: ${s}`);
  }
  return out;
}

function datadogTerm(value: string, pattern: string): boolean {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);
}

function parseDatadogMonitor(query: string): { search: (r: Attrs) => boolean; groupBy: string[]; attributes: string[] } {
  const m = /^logs\("((?:[^"\\]|\\.)*)"\)\.index\("\*"\)\.rollup\("count"\)(?:\.by\("([^"]+)"\))?\.last\("\d+[mh]"\) (?:>=|>) \d+$/.exec(query);
  if (!m) throw new Error(`not a log monitor query of the expected shape: ${query}`);
  const search = m[1]!;
  const terms: { negate: boolean; facet: string; alternatives: string[] }[] = [];
  const rest = search.replace(/(-?)(@?[A-Za-z0-9_.]+):(\([^)]*\)|[^\s()]+)/g, (_all, neg: string, facet: string, value: string) => {
    const alternatives = value.startsWith('(') ? value.slice(1, -1).split(' OR ').map((s) => s.trim()) : [value];
    terms.push({ negate: neg === '-', facet, alternatives });
    return '';
  });
  if (rest.trim() !== '') throw new Error(`unsupported search syntax "${rest.trim()}" in ${query}`);
  return {
    search: (r) =>
      terms.every((t) => {
        const value = t.facet === 'service' ? SERVICE_NAME : r[t.facet.slice(1)];
        const hit = t.facet.startsWith('@') || t.facet === 'service' ? value !== undefined && t.alternatives.some((a) => datadogTerm(value, a)) : false;
        return t.negate ? !hit : hit;
      }),
    groupBy: (m[2] ?? '').split(',').filter(Boolean),
    attributes: terms.filter((t) => t.facet.startsWith('@')).map((t) => t.facet.slice(1)),
  };
}
const DATADOG_ADDED = new Set((datadogConfig.processors['transform/datadog'].log_statements as string[]).map((s) => /^set\(log\.attributes\["([^"]+)"\]/.exec(s)![1]!));

// ---- the files ---------------------------------------------------------------------------------------
const lokiRules = (parse(readFileSync(join(ROOT, 'deploy/alerting/loki/asana-security.yaml'), 'utf8')) as Obj).groups.flatMap((g: Obj) => g.rules) as Obj[];
const monitors = JSON.parse(readFileSync(join(ROOT, 'deploy/alerting/datadog/asana-security-monitors.json'), 'utf8')) as Obj[];
const promRules = (parse(readFileSync(join(ROOT, 'deploy/alerting/prometheus/asana-otel-receiver.yaml'), 'utf8')) as Obj).groups.flatMap((g: Obj) => g.rules) as Obj[];

describe('deploy/alerting/loki: security detections as Loki ruler rules', () => {
  it('has exactly the detections listed, each with a severity and a summary', () => {
    expect(lokiRules.map((r) => r.alert).sort()).toEqual(Object.keys(LOKI_RULES).sort());
    for (const r of lokiRules) {
      expect(['info', 'warning', 'critical'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
    }
  });

  it.each(Object.entries(LOKI_RULES))('%s fires on the simulated events it is for and on no other', (alert, detection) => {
    const rule = lokiRules.find((r) => r.alert === alert)!;
    const { selector, filters, groupBy } = parseLogqlRule(rule.expr);
    for (const s of selector) expect(['service_name'], `${alert}: stream label ${s.name}`).toContain(s.name);
    for (const n of [...filters.map((f) => f.name), ...groupBy]) expect(LOKI_NAMES.has(n), `${alert}: "${n}" is not a name Loki stores for these records`).toBe(true);
    const matches = (r: Attrs) => {
      const labels = lokiView(r);
      return [...selector, ...filters].every((m) => logqlMatches(m, labels));
    };
    checkDetection(alert, detection, matches, groupBy, (r, name) => lokiView(r)[name] !== undefined);
    for (const [, label] of String(rule.annotations.summary).matchAll(/\$labels\.([A-Za-z_]+)/g)) expect(groupBy, `${alert}: summary label ${label}`).toContain(label);
  });

  it('the evaluator catches a misspelt attribute and an over-broad filter', () => {
    const typo = parseLogqlRule('sum by (user_email) (count_over_time({service_name="asana"} | asana_event_typ="user_login_failed" [5m])) > 0');
    expect(records.some((r) => typo.filters.every((m) => logqlMatches(m, lokiView(r))))).toBe(false);
    const broad = parseLogqlRule('sum by (user_email) (count_over_time({service_name="asana"} | asana_event_type=~"user_login_.*" [5m])) > 0');
    expect(() =>
      checkDetection('broad', 'failed_logins_per_user', (r) => broad.filters.every((m) => logqlMatches(m, lokiView(r))), [], () => true),
    ).toThrow(/other event types/);
  });
});

describe('deploy/alerting/datadog: the same detections as Datadog log monitors', () => {
  it('has exactly the detections listed, as log alerts whose threshold is the query\'s', () => {
    expect(monitors.map((m) => m.name).sort()).toEqual(Object.keys(DATADOG_MONITORS).sort());
    for (const m of monitors) {
      expect(m.type, m.name).toBe('log alert');
      expect(Number(/(\d+)$/.exec(m.query)![1]), `${m.name} threshold`).toBe(m.options.thresholds.critical);
      expect(m.message, m.name).toBeTruthy();
    }
    expect(new Set(Object.values(DATADOG_MONITORS))).toEqual(new Set(Object.values(LOKI_RULES)));
  });

  it.each(Object.entries(DATADOG_MONITORS))('%s fires on the simulated events it is for and on no other', (name, detection) => {
    const monitor = monitors.find((m) => m.name === name)!;
    const { search, groupBy, attributes } = parseDatadogMonitor(monitor.query);
    for (const a of [...attributes, ...groupBy.map((g) => g.slice(1))]) {
      expect(isEmittedAttribute(a) || DATADOG_ADDED.has(a), `${name}: @${a} is neither emitted nor added by transform/datadog`).toBe(true);
    }
    checkDetection(name, detection, (r) => search(datadogView(r)), groupBy, (r, g) => datadogView(r)[g.slice(1)] !== undefined);
    for (const [, facet] of String(monitor.message).matchAll(/\{\{\[(@[^\]]+)\]\.name\}\}/g)) expect(groupBy, `${name}: message names ${facet}`).toContain(facet);
  });
});

describe('deploy/alerting/prometheus: rules on the receiver\'s own metrics', () => {
  let collector: OtlpCollector;
  /** Prometheus metric name -> label names seen, and label values seen per label. */
  const series = new Map<string, Map<string, Set<string>>>();

  beforeAll(async () => {
    collector = await startOtlpCollector();
    const board = new StreamStatusBoard({ pollIntervalMs: 30_000 });
    board.register({ key: 'audit_log', stream: 'audit_log', workspaceGid: '1200000000000001', lastEventAt: new Date(now - 60_000).toISOString() });
    board.caughtUp('audit_log');
    const metrics = createSelfMetrics(
      { url: collector.metricsUrl, protocol: 'http/protobuf', headers: {}, compression: 'none', timeoutMs: 5_000, intervalMs: 60_000, endpointIsDefault: false, tls: {}, insecure: false },
      { board, log: captureLogger().log, resourceAttributes: { 'service.name': SERVICE_NAME } },
    );
    const meta = { stream: 'audit_log', workspaceGid: '1200000000000001' };
    metrics.apiResponse(200, { workspaceGid: meta.workspaceGid, outcome: 'ok', rateLimited: false });
    metrics.apiResponse(429, { workspaceGid: meta.workspaceGid, outcome: 'retry', rateLimited: true });
    metrics.pageCommitted(meta, 100);
    metrics.exportAttempt(meta, 101, 1, { kind: 'ok', rejectedRecords: 2 });
    metrics.exportAttempt(meta, 100, 0, { kind: 'retryable', reason: 'HTTP 503' });
    metrics.exportAttempt(meta, 100, 0, { kind: 'rejected', status: 400, reason: 'HTTP 400' });
    await metrics.shutdown();
    for (const req of collector.metricRequests) {
      for (const rm of (req.request as Obj).resourceMetrics as Obj[]) {
        for (const sm of rm.scopeMetrics as Obj[]) {
          for (const m of sm.metrics as Obj[]) {
            const kind = m.sum?.isMonotonic ? 'counter' : 'gauge';
            const name = prometheusMetricName(m.name, m.unit ?? '', kind);
            const labels = series.get(name) ?? new Map<string, Set<string>>();
            for (const dp of ((m.sum ?? m.gauge).dataPoints as Obj[]) ?? []) {
              for (const kv of dp.attributes as Obj[]) {
                const values = labels.get(prometheusLabelName(kv.key)) ?? new Set<string>();
                values.add(String(kv.value.stringValue ?? kv.value.intValue ?? kv.value.doubleValue));
                labels.set(prometheusLabelName(kv.key), values);
              }
            }
            series.set(name, labels);
          }
        }
      }
    }
  });
  afterAll(async () => {
    await collector.close();
  });

  it('the export holds every metric the rules are about', () => {
    for (const name of [METRIC.streamReady, METRIC.gaps, METRIC.recordsDropped, METRIC.exportFailures, METRIC.lag, METRIC.apiRateLimited]) {
      expect([...series.keys()].some((n) => n.startsWith(name.replace(/\./g, '_'))), name).toBe(true);
    }
  });

  it('covers stream not ready, missing metrics, gaps, dropped and rejected records, retries and lag', () => {
    const exprs = promRules.map((r) => String(r.expr)).join('\n');
    for (const metric of ['asana_receiver_stream_ready_ratio', 'asana_receiver_gaps_total', 'asana_receiver_records_dropped_total', 'asana_receiver_export_failures_total', 'asana_receiver_lag_seconds']) {
      expect(exprs).toContain(metric);
    }
    expect(exprs).toContain('absent_over_time(');
    expect(exprs).toContain('error_type="rejected"');
  });

  it.each(promRules.map((r) => [r.alert as string, r] as const))('%s reads only metrics, labels and label values the receiver exports', (alert, rule) => {
    const expr = String(rule.expr);
    const used = [...expr.matchAll(/\b(asana_receiver_[a-z_]+)\b(\{[^}]*\})?/g)];
    expect(used.length, `${alert} reads a receiver metric`).toBeGreaterThan(0);
    const labelsSeen = new Set<string>();
    for (const [, metric, matchers] of used) {
      const labels = series.get(metric!);
      expect(labels, `${alert}: ${metric} is not a metric the receiver exports (as Prometheus names it): ${[...series.keys()].join(', ')}`).toBeDefined();
      for (const l of labels!.keys()) labelsSeen.add(l);
      for (const [, name, value] of (matchers ?? '').matchAll(/([a-z_]+)\s*=~?\s*"([^"]*)"/g)) {
        expect(labels!.has(name!), `${alert}: ${metric} has no label ${name}`).toBe(true);
        expect([...labels!.get(name!)!].some((v) => new RegExp(`^(?:${value})$`).test(v)), `${alert}: ${name}="${value}" never exported`).toBe(true);
      }
    }
    // job/instance come from the resource (service.name, service.instance.id).
    for (const [, list] of expr.matchAll(/\bby \(([^)]*)\)/g)) {
      for (const l of list!.split(',').map((s) => s.trim())) expect(l === 'job' || labelsSeen.has(l), `${alert}: by (${l})`).toBe(true);
    }
    expect(['info', 'warning', 'critical'], alert).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary, alert).toBeTruthy();
  });
});
