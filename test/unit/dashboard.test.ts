import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isEmittedAttribute, EMITTED_ATTRIBUTES, lokiName, RESOURCE_ATTRIBUTES } from '../helpers/emitted-attributes.ts';
import { ROOT } from '../helpers/receiver.ts';

/**
 * The Grafana dashboard and docs/queries.md must query what the receiver really sends, named the
 * way Loki stores it (dots -> underscores), and must keep high-cardinality values out of stream
 * selectors. A renamed attribute in src/mapping/attributes.ts fails here instead of leaving users
 * with silently empty panels.
 */

interface Target { refId: string; expr: string; datasource?: { type?: string; uid?: string } }
interface Panel { id: number; type: string; title: string; datasource?: { type?: string; uid?: string }; gridPos: { x: number; y: number; w: number; h: number }; targets?: Target[] }
interface Dashboard { title: string; uid: string; panels: Panel[]; templating: { list: { name: string; type: string; query?: string }[] } }

const dashboard = JSON.parse(readFileSync(join(ROOT, 'docs/grafana/asana-audit-dashboard.json'), 'utf8')) as Dashboard;
const queriesDoc = readFileSync(join(ROOT, 'docs/queries.md'), 'utf8');
const otelConfig = parse(readFileSync(join(ROOT, 'deploy/collector/datadog.yaml'), 'utf8')) as { processors: Record<string, { log_statements?: string[] }> };

/** Names Loki itself adds to every OTLP record (pkg/loghttp/push/otlp.go), not receiver attributes. */
const LOKI_FIELDS = new Set(['service_name', 'severity_text', 'severity_number', 'observed_timestamp', 'scope_name', 'scope_version', 'detected_level']);
/** Stream labels that stay few: one value per deployment or per Asana domain. */
const LOW_CARDINALITY_LABELS = new Set(['service_name', 'service_namespace', 'deployment_environment', 'asana_workspace_gid']);
const LOKI_ATTRIBUTE_NAMES = new Set([...EMITTED_ATTRIBUTES, ...RESOURCE_ATTRIBUTES].map(lokiName));

function lokiNameKnown(name: string): boolean {
  return LOKI_FIELDS.has(name) || LOKI_ATTRIBUTE_NAMES.has(name) || (name.startsWith('asana_details_') && name.length > 'asana_details_'.length);
}

interface LogqlNames { selectors: string[]; used: string[]; defined: string[] }

/** The label/metadata names a LogQL query refers to: stream selector, label filters, by(), line_format templates, | json extractions. */
function logqlNames(expr: string): LogqlNames {
  const templates: string[] = [];
  // Blank out string literals (values, templates) after reading template field references out of them.
  const code = expr.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, (s) => {
    for (const [, name] of s.matchAll(/\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)/g)) templates.push(name!);
    return '""';
  });
  const selectors: string[] = [];
  for (const [, body] of code.matchAll(/\{([^{}]*)\}/g)) for (const [, n] of body!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)) selectors.push(n!);
  const used = [...selectors, ...templates];
  const defined: string[] = [];
  for (const stage of code.split('|').slice(1)) {
    const s = stage.trim();
    if (/^json\b/.test(s)) for (const [, n] of s.slice(4).matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*=/g)) defined.push(n!);
    else if (/^(?:line_format|logfmt|pattern|regexp|unpack|drop|keep|label_format)\b/.test(s) || s === 'json') continue;
    else for (const [, n] of s.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|==|=|>=|<=|>|<)/g)) used.push(n!);
  }
  for (const [, list] of code.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) used.push(...list!.split(',').map((n) => n.trim()).filter(Boolean));
  return { selectors, used, defined };
}

function checkLogql(expr: string, where: string): void {
  const { selectors, used, defined } = logqlNames(expr);
  expect(selectors.length, `${where}: a stream selector`).toBeGreaterThan(0);
  for (const s of selectors) expect(LOW_CARDINALITY_LABELS.has(s), `${where}: stream label ${s} is high-cardinality; filter on it after | instead`).toBe(true);
  for (const n of used) expect(lokiNameKnown(n) || defined.includes(n), `${where}: "${n}" is not a name Loki stores for this receiver's records`).toBe(true);
}

const fences = (lang: string) => [...queriesDoc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!.trim());

describe('Grafana dashboard (docs/grafana/asana-audit-dashboard.json)', () => {
  it('has a Loki data source variable that every panel and query uses', () => {
    const ds = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(ds?.query).toBe('loki');
    for (const p of dashboard.panels) {
      expect(p.datasource?.uid, `panel ${p.title}`).toBe(`\${${ds!.name}}`);
      for (const t of p.targets ?? []) expect(t.datasource?.uid ?? p.datasource?.uid, `panel ${p.title} ${t.refId}`).toBe(`\${${ds!.name}}`);
    }
  });

  it('has the panels admins look for', () => {
    const titles = dashboard.panels.map((p) => p.title);
    for (const want of [/events by category over time/i, /failed logins/i, /admin setting changes/i, /exports/i, /top actors/i, /gap records/i]) {
      expect(titles.some((t) => want.test(t)), `a panel matching ${want}`).toBe(true);
    }
    const gap = dashboard.panels.filter((p) => /gap/i.test(p.title)).flatMap((p) => p.targets ?? []);
    expect(gap.some((t) => t.expr.includes(lokiName('asana.gap.reason')))).toBe(true);
  });

  it('every query references only names Loki stores for the receiver\'s records, and only low-cardinality stream labels', () => {
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr })));
    expect(exprs.length).toBeGreaterThan(5);
    for (const { where, expr } of exprs) {
      expect(expr.trim(), where).not.toBe('');
      checkLogql(expr, where);
    }
  });

  it('has unique panel ids and panels that do not overlap', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w, `panel ${p.title} fits the 24-column grid`).toBeLessThanOrEqual(24);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `panel ${p.title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('the checker catches what it should', () => {
    expect(() => checkLogql('{service_name="asana"} | asana_event_typ="x"', 'typo')).toThrow(/asana_event_typ/);
    expect(() => checkLogql('{service_name="asana", user_id="1"}', 'label')).toThrow(/high-cardinality/);
    expect(() => checkLogql('sum by (asana.event.category) (count_over_time({service_name="asana"} [5m]))', 'dots')).toThrow();
    expect(() => checkLogql('{service_name="asana"} | line_format "{{.user_mail}}"', 'template')).toThrow(/user_mail/);
  });
});

describe('docs/queries.md', () => {
  it('every LogQL example queries names Loki stores, with low-cardinality stream labels', () => {
    const examples = fences('logql');
    expect(examples.length).toBeGreaterThan(5);
    examples.forEach((expr, i) => checkLogql(expr, `LogQL example ${i + 1}: ${expr}`));
  });

  it('every Datadog example uses attributes the receiver emits or transform/datadog adds', () => {
    const added = new Set(
      (otelConfig.processors['transform/datadog']?.log_statements ?? []).flatMap((s) => [...s.matchAll(/^set\(log\.attributes\["([^"]+)"\]/g)].map((m) => m[1]!)),
    );
    for (const dd of ['usr.id', 'usr.email', 'network.client.ip', 'evt.name', 'evt.category']) expect(added).toContain(dd);
    const examples = fences('datadog');
    expect(examples.length).toBeGreaterThan(3);
    for (const q of examples) {
      expect(q, 'scoped to the service').toContain('service:asana');
      for (const [, attr] of q.matchAll(/(?:^|[\s("])@([A-Za-z0-9_.]+?)(?=[:")\s]|$)/g)) {
        expect(isEmittedAttribute(attr!) || added.has(attr!), `Datadog example "${q}": @${attr} is neither emitted nor added by transform/datadog`).toBe(true);
      }
    }
  });
});
