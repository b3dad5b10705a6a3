import fc from 'fast-check';

/**
 * fast-check arbitraries for what Asana could send on a bad day: missing fields, nulls, wrong types,
 * numbers where strings are documented, huge strings, deep nesting, invalid dates. Shared by the
 * mapping properties (unit) and the loopback server properties (integration).
 */

/** A string of `n` repetitions of a short piece: huge without fast-check building it char by char. */
export const hugeString = fc
  .tuple(fc.string({ minLength: 1, maxLength: 3, unit: 'binary' }), fc.integer({ min: 9_000, max: 120_000 }))
  .map(([piece, n]) => piece.repeat(Math.ceil(n / piece.length)));

/** Nested objects/arrays `depth` levels deep, built without recursion. */
export function nested(depth: number, arrays: boolean): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
}
export const deepValue = fc.tuple(fc.integer({ min: 50, max: 3_000 }), fc.boolean()).map(([d, arrays]) => nested(d, arrays));

/** Date-time strings Asana documents, and ones it should not send. */
export const weirdTime = fc.oneof(
  fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '',
    'yesterday',
    'not a date',
    '2025-13-45T99:99:99Z',
    '2025-03-03T09:05:31',
    '2025-03-03T09:05:31.123456789+05:30',
    '0000-00-00T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '-271821-04-20T00:00:00Z',
    '+275760-09-13T00:00:00.001Z',
    '1e21',
    'NaN',
  ),
  fc.integer().map((n) => n as unknown),
  fc.double().map((n) => n as unknown),
);

/** Any single field value: right type, wrong type, null, huge, deep. */
export const wildValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, 1.5e308, -0, 2 ** 63) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 1, arbitrary: weirdTime },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

const rare = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> => fc.oneof({ weight: 12, arbitrary: wildValue }, { weight: 1, arbitrary: arb });
const fieldValue = fc.oneof({ weight: 20, arbitrary: wildValue }, { weight: 1, arbitrary: hugeString }, { weight: 1, arbitrary: deepValue });

function objectOf(keys: readonly string[]): fc.Arbitrary<unknown> {
  const shape = Object.fromEntries(keys.map((k) => [k, fieldValue]));
  return fc.oneof({ weight: 4, arbitrary: fc.record(shape, { requiredKeys: [] }) }, { weight: 1, arbitrary: wildValue });
}

/** One audit event as Asana might send it on a bad day: any field missing, null or of the wrong type. */
export const hostileEvent: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    gid: fc.oneof(fc.string(), fc.integer({ min: 0 }).map((n) => n as unknown), wildValue),
    created_at: fc.oneof(weirdTime, wildValue),
    event_type: fc.oneof(fc.constantFrom('user_login_failed', 'task_deleted', 'brand_new_event', ''), wildValue),
    event_category: fc.oneof(fc.constantFrom('logins', 'roles', 'new_category'), wildValue),
    actor: objectOf(['actor_type', 'gid', 'name', 'email']),
    resource: objectOf(['resource_type', 'resource_subtype', 'gid', 'name', 'email']),
    context: objectOf(['context_type', 'api_authentication_method', 'client_ip_address', 'user_agent', 'oauth_app_name', 'rule_name', 'on_behalf_of_user_id']),
    details: fc.oneof(fc.dictionary(fc.string(), fieldValue, { maxKeys: 80 }), fieldValue),
    extra: rare(deepValue),
  },
  { requiredKeys: [] },
);

/** Whatever a JSON array element could be: an event, or not an object at all. */
export const hostileElement: fc.Arbitrary<unknown> = fc.oneof({ weight: 6, arbitrary: hostileEvent }, { weight: 1, arbitrary: wildValue });

/** Retry-After values from the absurd to the plausible. */
export const absurdRetryAfter = fc.oneof(
  fc.string(),
  fc.nat().map(String),
  fc.bigInt({ min: 0n, max: 10n ** 40n }).map(String),
  fc.integer({ min: -1_000_000, max: -1 }).map(String),
  fc.double().map(String),
  fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toUTCString())),
  fc.constantFrom('', ' ', '0', '1e9', 'Infinity', 'NaN', '-0', '3.5', '99999999999999999999999', 'Fri, 31 Dec 9999 23:59:59 GMT', 'Thu, 01 Jan 1970 00:00:00 GMT', 'Sunday, 06-Nov-94 08:49:37 GMT', 'Sun Nov  6 08:49:37 1994', 'soon', '120 seconds'),
);
