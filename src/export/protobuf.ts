import type { AnyValue, Attributes, HrTime } from '@opentelemetry/api';
import { SCOPE } from './records.ts';
import type { LogBatch } from './types.ts';

/**
 * LogBatch -> OTLP protobuf bytes (an ExportLogsServiceRequest), written straight from the mapped
 * records: the hot path of the receiver.
 *
 * Why not otlp-transformer's ProtobufLogsSerializer, which the rest of export/ uses (JSON, response
 * decoding)? It walks every string three times in JavaScript, one UTF-16 unit at a time (to size
 * it, to test for ASCII, to copy it), and audit records are mostly string: a ~1 KB JSON body and
 * ~15 attributes each. That made it about two thirds of the receiver's CPU per event. Here each
 * string is handed once to Node's native UTF-8 encoder (Buffer#write), lengths are back-patched,
 * and nothing is built in between (no ReadableLogRecord, no grouping maps).
 *
 * The bytes are the ones ProtobufLogsSerializer writes for the same records, field for field and in
 * the same order (test/unit/otlp-protobuf.test.ts holds the two side by side), so collectors see
 * no difference. Field numbers: opentelemetry-proto, opentelemetry/proto/logs/v1/logs.proto and
 * common/v1/common.proto.
 */
export function encodeLogsRequest(batch: LogBatch, into?: Buffer): Uint8Array {
  const size = estimate(batch);
  const w = new Writer(into && into.length >= size ? into : Buffer.allocUnsafe(size));
  // ExportLogsServiceRequest.resource_logs = 1
  w.tag(1, LEN);
  const resourceLogs = w.begin(3);
  // ResourceLogs.resource = 1 { attributes = 1, dropped_attributes_count = 2 }
  w.tag(1, LEN);
  const resource = w.begin(2);
  w.attributes(1, batch.resource.attributes);
  w.tag(2, VARINT);
  w.varint(0);
  w.end(resource);
  // ResourceLogs.scope_logs = 2
  w.tag(2, LEN);
  const scopeLogs = w.begin(3);
  // ScopeLogs.scope = 1 { name = 1, version = 2 }
  w.tag(1, LEN);
  const scope = w.begin(1);
  w.tag(1, LEN);
  w.string(SCOPE.name);
  if (SCOPE.version) {
    w.tag(2, LEN);
    w.string(SCOPE.version);
  }
  w.end(scope);
  for (const r of batch.records) {
    // ScopeLogs.log_records = 2
    w.tag(2, LEN);
    const record = w.begin(2);
    w.tag(1, I64); // time_unix_nano
    w.hrTime(r.hrTime);
    if (r.severityNumber !== undefined && r.severityNumber !== 0) {
      w.tag(2, VARINT);
      w.varint(r.severityNumber);
    }
    if (r.severityText) {
      w.tag(3, LEN);
      w.string(r.severityText);
    }
    if (r.body !== undefined) {
      w.tag(5, LEN);
      const body = w.begin(2);
      w.anyValue(r.body);
      w.end(body);
    }
    w.attributes(6, r.attributes);
    w.tag(7, VARINT); // dropped_attributes_count
    w.varint(0);
    w.tag(11, I64); // observed_time_unix_nano
    w.hrTime(r.hrTimeObserved);
    if (r.eventName) {
      w.tag(12, LEN);
      w.string(r.eventName);
    }
    w.end(record);
  }
  w.end(scopeLogs);
  w.end(resourceLogs);
  return w.finish();
}

// Wire types.
const VARINT = 0;
const I64 = 1;
const LEN = 2;

const TWO_32 = 4_294_967_296;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/**
 * The request size if every string is ASCII (exact then, give or take a few length bytes), so the
 * buffer is allocated once at about the right size; other text only makes it grow.
 */
export function estimate(batch: LogBatch): number {
  let n = 256 + attributesSize(batch.resource.attributes);
  for (const r of batch.records) {
    n += 64 + r.eventName.length + r.severityText.length + attributesSize(r.attributes);
    n += typeof r.body === 'string' ? r.body.length + 8 : 1024;
  }
  return n;
}

function attributesSize(attrs: Attributes | undefined): number {
  let n = 0;
  for (const key in attrs) {
    const v = attrs[key];
    n += key.length + (typeof v === 'string' ? v.length : 32) + 8;
  }
  return n;
}

function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/** Attribute names already encoded as a KeyValue.key field, for Writer#key. */
const KEY_BYTES = new Map<string, Buffer>();
const KEY_CACHE_MAX = 1024;

class Writer {
  private buf: Buffer;
  private pos = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** Non-negative integers below 2^32 (tags, lengths, enums) and, two's complement, any int64. */
  varint(value: number): void {
    this.ensure(10);
    const b = this.buf;
    if (value >= 0 && value < TWO_32) {
      let v = value >>> 0;
      while (v > 0x7f) {
        b[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      b[this.pos++] = v;
      return;
    }
    let low: number;
    let high: number;
    if (value >= 0) {
      low = value >>> 0;
      high = (value / TWO_32) >>> 0;
    } else {
      const abs = -value;
      low = ~(abs >>> 0) >>> 0;
      high = ~((abs / TWO_32) >>> 0) >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      b[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    b[this.pos++] = low;
  }

  private fixed64(low: number, high: number): void {
    this.ensure(8);
    this.buf.writeUInt32LE(low >>> 0, this.pos);
    this.buf.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  /**
   * [seconds, nanoseconds] as fixed64 nanoseconds since the epoch, exactly. seconds * 1e9 exceeds
   * 2^53, so it is split: seconds = hi * 65536 + lo, and each part times 1e9 stays exact.
   */
  hrTime(t: HrTime): void {
    const lo = t[0] % 65_536;
    const hi = (t[0] - lo) / 65_536;
    const loNs = lo * 1e9; // < 2^46
    const hiNs = hi * 1e9; // times 65536 below
    // total = hiNs * 2^16 + loNs + t[1]; split hiNs * 2^16 into its low and high 32-bit words.
    const hiNsLow16 = hiNs % 65_536;
    const hiNsHigh = (hiNs - hiNsLow16) / 65_536;
    let low = hiNsLow16 * 65_536 + (loNs % TWO_32) + t[1];
    let high = hiNsHigh + Math.floor(loNs / TWO_32);
    high += Math.floor(low / TWO_32);
    low %= TWO_32;
    this.fixed64(low, high);
  }

  /** A length-prefixed UTF-8 string: one native encode, the length written in front of it. */
  string(s: string): void {
    const max = s.length * 3; // UTF-8 bytes per UTF-16 unit: at most 3
    if (max < 0x80) {
      // The length fits one byte whatever the content: write the bytes, then the length before them.
      this.ensure(1 + max);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = n;
      this.pos += 1 + n;
      return;
    }
    const prefix = varintSize(max);
    if (s.length >= 0x80 && this.pos + prefix + max <= this.buf.length) {
      // Long text (the body), with room for its most bytes: written at once behind a prefix sized
      // for that most (its length is at least s.length, so no smaller prefix would have done, and
      // end() moves the bytes only when the text is over 5,461 units), instead of a
      // Buffer.byteLength pass over the whole string first.
      const mark = this.begin(prefix);
      this.pos += this.buf.write(s, this.pos, 'utf8');
      this.end(mark);
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  private bytes(v: Uint8Array): void {
    this.varint(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /**
   * Starts a length-delimited field: reserves `reserve` bytes for its length (the expected varint
   * size), to be filled in by end(). A guess that was wrong only costs moving the content.
   */
  begin(reserve: number): number {
    this.ensure(reserve);
    const start = this.pos;
    this.pos += reserve;
    return start * 8 + reserve;
  }

  end(mark: number): void {
    const reserve = mark % 8;
    const start = (mark - reserve) / 8;
    const length = this.pos - start - reserve;
    const need = varintSize(length);
    if (need !== reserve) {
      this.ensure(need - reserve);
      this.buf.copy(this.buf, start + need, start + reserve, this.pos);
      this.pos += need - reserve;
    }
    let v = length;
    let p = start;
    while (v > 0x7f) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
  }

  /** repeated KeyValue `field`, in the object's own key order. */
  attributes(field: number, attrs: Attributes | undefined): void {
    if (!attrs) return;
    // Own enumerable string keys in insertion order: what for-in with hasOwnProperty gives, faster.
    const keys = Object.keys(attrs);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      this.tag(field, LEN);
      this.keyValue(key, attrs[key]);
    }
  }

  /** KeyValue { key = 1, value = 2 } */
  private keyValue(key: string, value: unknown): void {
    const kv = this.begin(typeof value === 'string' && value.length < 40 ? 1 : 2);
    this.key(key);
    this.tag(2, LEN);
    const v = this.begin(typeof value === 'string' && value.length < 40 ? 1 : 2);
    this.anyValue(value);
    this.end(v);
    this.end(kv);
  }

  /**
   * KeyValue.key (field 1). Attribute names repeat on every record, so each one's bytes (tag, length,
   * UTF-8) are kept and copied in, one native UTF-8 encode fewer per attribute. Bounded: names built
   * from Asana's `details` keys can be many; past KEY_CACHE_MAX they are written as they come.
   */
  private key(key: string): void {
    let bytes = KEY_BYTES.get(key);
    if (bytes === undefined) {
      const n = Buffer.byteLength(key, 'utf8');
      if (n >= 0x80 || KEY_BYTES.size >= KEY_CACHE_MAX) {
        this.tag(1, LEN);
        this.string(key);
        return;
      }
      bytes = Buffer.allocUnsafeSlow(2 + n);
      bytes[0] = (1 << 3) | LEN;
      bytes[1] = n;
      bytes.write(key, 2, 'utf8');
      KEY_BYTES.set(key, bytes);
    }
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** AnyValue: string 1, bool 2, int 3, double 4, array 5, kvlist 6, bytes 7; nothing for null/undefined. */
  anyValue(value: AnyValue | unknown): void {
    switch (typeof value) {
      case 'string':
        this.tag(1, LEN);
        this.string(value);
        return;
      case 'boolean':
        this.tag(2, VARINT);
        this.varint(value ? 1 : 0);
        return;
      case 'number':
        if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
          this.tag(3, VARINT);
          this.varint(value);
        } else {
          this.tag(4, I64);
          this.ensure(8);
          this.buf.writeDoubleLE(value, this.pos);
          this.pos += 8;
        }
        return;
    }
    if (value instanceof Uint8Array) {
      this.tag(7, LEN);
      this.bytes(value);
    } else if (Array.isArray(value)) {
      this.tag(5, LEN);
      const array = this.begin(2);
      for (const item of value) {
        this.tag(1, LEN);
        const it = this.begin(1);
        this.anyValue(item);
        this.end(it);
      }
      this.end(array);
    } else if (typeof value === 'object' && value !== null) {
      this.tag(6, LEN);
      const list = this.begin(2);
      const obj = value as Record<string, unknown>;
      for (const k in obj) {
        if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
        this.tag(1, LEN);
        this.keyValue(k, obj[k]);
      }
      this.end(list);
    }
  }
}
