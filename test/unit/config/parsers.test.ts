import { describe, expect, it } from 'vitest';
import {
  boolean,
  compression,
  duration,
  gidList,
  healthAddr,
  httpUrl,
  keyValueList,
  mapParsed,
  metricsExporter,
  positiveInt,
  protocol,
  startAt,
  streamList,
  type Parsed,
  type Parser,
} from '../../../src/config/parsers.ts';

const NOW = new Date('2026-06-01T00:00:00Z');

/** [case, parser, text, the value it yields, or a pattern for its first problem and how many problems]. */
type Row = [name: string, parser: Parser<unknown>, text: string, expected: { value: unknown } | { problem: RegExp; count?: number }];

const rows: Row[] = [
  ['gid list', gidList, '123, 456,123,', { value: ['123', '456'] }],
  ['gid list: each bad part named', gidList, '12a,x,7', { problem: /"12a" is not a gid/, count: 2 }],
  ['gid list: only commas', gidList, ' , ', { problem: /names no workspace gid/ }],
  ['streams', streamList, 'audit_log,workspace_events,audit_log', { value: ['audit_log', 'workspace_events'] }],
  ['streams: unknown', streamList, 'audit,audit_log', { problem: /unknown stream "audit": use audit_log/ }],
  ['URL', httpUrl('e.g. x'), 'https://app.asana.com/api/1.0', { value: 'https://app.asana.com/api/1.0' }],
  ['URL: not http', httpUrl('e.g. http://collector:4318'), 'ftp://x', { problem: /"ftp:\/\/x" is not an http\(s\) URL: e.g. http:\/\/collector:4318/ }],
  ['URL: credentials refused, not echoed', httpUrl('', { noCredentials: true }), 'https://u:secret@x', { problem: /^contains credentials \(user:password@\): remove them/ }],
  ['duration', duration(1_000, 'e.g. 30s'), '5m', { value: 300_000 }],
  ['duration: too short', duration(1_000, 'e.g. 30s'), '10ms', { problem: /10ms is too short: at least 1s/ }],
  ['duration: not one', duration(1_000, 'e.g. 30s'), 'soon', { problem: /"soon" is not a duration: e.g. 30s \(units ms, s, m, h, d\)/ }],
  ['duration: above the timer limit', duration(0, 'e.g. 30s'), '30d', { problem: /30d is too long: at most/ }],
  ['positive integer', positiveInt('requests'), '1500', { value: 1500 }],
  ['positive integer: zero', positiveInt('requests'), '0', { problem: /^must be at least 1: requests$/ }],
  ['positive integer: sign', positiveInt('requests'), '-5', { problem: /"-5" is not a positive integer: requests/ }],
  ['positive integer: decimal', positiveInt('requests'), '1.5', { problem: /"1.5" is not a positive integer/ }],
  ['positive integer: too large', positiveInt('requests', 100), '101', { problem: /^is too large: at most 100 \(requests\)$/ }],
  ['positive integer: beyond any number', positiveInt('requests'), '9'.repeat(400), { problem: /is too large/ }],
  ['boolean', boolean, 'TRUE', { value: true }],
  ['boolean: yes', boolean, 'yes', { problem: /"yes" is not a boolean: use true or false/ }],
  ['start: duration back', startAt(NOW), '90d', { value: { kind: 'ago', ms: 90 * 86_400_000 } }],
  ['start: time with zone', startAt(NOW), '2026-05-01T00:00:00+02:00', { value: { kind: 'time', at: new Date('2026-04-30T22:00:00Z') } }],
  ['start: no zone', startAt(NOW), '2026-05-01T00:00:00', { problem: /is neither an ISO-8601 time with a zone/ }],
  ['start: future', startAt(NOW), '2026-07-01T00:00:00Z', { problem: /is in the future/ }],
  ['protocol', protocol, 'http/json', { value: 'http/json' }],
  ['protocol: case matters', protocol, 'GRPC', { problem: /"GRPC" is not a protocol: use grpc, http\/protobuf or http\/json/ }],
  ['compression', compression, 'gzip', { value: 'gzip' }],
  ['compression: deflate', compression, 'deflate', { problem: /"deflate" is not a compression: use gzip or none/ }],
  ['headers: lower-cased names, decoded values', keyValueList('header'), 'Api-Key=a%20b, x=1', { value: { 'api-key': 'a b', x: '1' } }],
  ['headers: value never echoed', keyValueList('header'), 'a=1,key=s%ZZecret', { problem: /^entry 2 \(key\): the value is not valid percent-encoding/ }],
  ['headers: every bad entry named', keyValueList('header'), 'novalue,b c=1', { problem: /^entry 1 is not key=value/, count: 2 }],
  ['attributes keep case', keyValueList('attribute'), 'Team=sec', { value: { Team: 'sec' } }],
  ['health address', healthAddr, ':13133', { value: { host: '0.0.0.0', port: 13133 } }],
  ['health address: IPv6', healthAddr, '[::1]:8080', { value: { host: '::1', port: 8080 } }],
  ['health address: off', healthAddr, 'OFF', { value: undefined }],
  ['health address: port out of range', healthAddr, '0.0.0.0:70000', { problem: /"0.0.0.0:70000" is not host:port/ }],
  ['metrics exporter: prometheus', metricsExporter, 'prometheus', { problem: /"prometheus" is not supported: use otlp/ }],
  ['mapped value', mapParsed(positiveInt('n'), (n) => n * 2), '21', { value: 42 }],
  ['mapped: problems kept', mapParsed(positiveInt('n'), (n) => n * 2), 'x', { problem: /"x" is not a positive integer: n/ }],
];

describe('config parsers', () => {
  it.each(rows)('%s', (_name, parser, text, expected) => {
    const r: Parsed<unknown> = parser(text);
    if ('value' in expected) {
      expect(r).toEqual({ ok: true, value: expected.value });
    } else {
      expect(r.ok).toBe(false);
      const problems = r.ok ? [] : r.problems;
      expect(problems[0]).toMatch(expected.problem);
      expect(problems).toHaveLength(expected.count ?? 1);
      // A secret-looking value never comes back in a problem.
      expect(problems.join(' ')).not.toContain('secret');
    }
  });
});
