// Declarative netlink attributes (struct nlattr TLVs). A message type is
// described once, as a table of { name: field(id, codec) }, and that one table
// drives both encoding and decoding, so a new attribute is one line:
//
//   const stats = attributeSet('IPVS_STATS', { conns: field(1, u32), inBytes: field(4, u64) });
//   stats.encode(writer, { conns: 3 });
//   stats.decode(buffer) // -> { conns?: number; inBytes?: bigint }
//
// Decoding never trusts the input: lengths are checked against the enclosing
// buffer and every codec checks its payload size, so malformed or truncated
// bytes yield a NetlinkDecodeError naming the attribute, never a RangeError.
import { NLA_HDRLEN, NLA_F_NESTED, NLA_TYPE_MASK } from './constants.js';
import { NetlinkDecodeError } from './errors.js';
import { align4, type Writer } from './writer.js';

/** How one attribute's payload is written and read. */
export interface Codec<T> {
  write(w: Writer, value: T): void;
  /** `payload` is exactly the attribute's payload; `path` names it for errors. */
  read(payload: Buffer, path: string): T;
}

function fixed<T>(size: number, write: (w: Writer, v: T) => void, read: (b: Buffer) => T): Codec<T> {
  return {
    write,
    read(payload, path) {
      // The kernel may send a wider payload than an old header declares (e.g.
      // an attribute grown from u32 to u64 is not done, but structs grow); a
      // shorter one is always a decode error.
      if (payload.length < size) throw new NetlinkDecodeError(path, `expected ${size} bytes, got ${payload.length}`);
      return read(payload);
    },
  };
}

export const u8: Codec<number> = fixed(1, (w, v) => w.u8(v), (b) => b.readUInt8(0));
export const u16: Codec<number> = fixed(2, (w, v) => w.u16(v), (b) => b.readUInt16LE(0));
export const u32: Codec<number> = fixed(4, (w, v) => w.u32(v), (b) => b.readUInt32LE(0));
export const u64: Codec<bigint> = fixed(8, (w, v) => w.u64(v), (b) => b.readBigUInt64LE(0));
/** Network byte order integers (ports, some addresses). */
export const be16: Codec<number> = fixed(2, (w, v) => w.be16(v), (b) => b.readUInt16BE(0));
export const be32: Codec<number> = fixed(4, (w, v) => w.be32(v), (b) => b.readUInt32BE(0));

/** Raw bytes (addresses, structs handled by a caller). */
export const bytes: Codec<Buffer> = {
  write: (w, v) => w.bytes(v),
  read: (payload) => Buffer.from(payload),
};

/** A NUL-terminated string (NLA_NUL_STRING / NLA_STRING as the kernel sends them). */
export const cstring: Codec<string> = {
  write(w, v) {
    w.bytes(Buffer.from(v, 'utf8'));
    w.u8(0);
  },
  read(payload) {
    const end = payload.indexOf(0);
    return payload.toString('utf8', 0, end === -1 ? payload.length : end);
  },
};

/** A flag attribute: present (true) or absent. */
export const flag: Codec<true> = {
  write: () => undefined,
  read: () => true,
};

/** A fixed-size struct of consecutive u32 fields in host order (e.g. struct ip_vs_flags). */
export function u32Struct<K extends string>(...names: readonly K[]): Codec<Record<K, number>> {
  return fixed(
    4 * names.length,
    (w, v) => {
      for (const name of names) w.u32(v[name]);
    },
    (b) => Object.fromEntries(names.map((name, i) => [name, b.readUInt32LE(4 * i)])) as Record<K, number>,
  );
}

/** One attribute of a set: its type number and payload codec. */
export interface Field<T> {
  readonly id: number;
  readonly codec: Codec<T>;
}

export function field<T>(id: number, codec: Codec<T>): Field<T> {
  return { id, codec };
}


/** The value type a field table describes: every attribute is optional on the wire. */
export type AttributeValues<F> = { [K in keyof F]?: F[K] extends Field<infer T> ? T : never };

/** A table of attributes that encodes and decodes as a unit (a message body or a nest). */
export interface AttributeSet<F> extends Codec<AttributeValues<F>> {
  readonly name: string;
  readonly fields: F;
  encode(w: Writer, values: AttributeValues<F>): void;
  decode(buffer: Buffer, path?: string): AttributeValues<F>;
}

/**
 * Describes a set of attributes. Attributes are encoded in table order (the
 * kernel accepts any order; a stable one keeps golden tests exact). Unknown
 * attribute types in input are skipped, as newer kernels add attributes.
 */
export function attributeSet<F extends Record<string, Field<unknown>>>(name: string, fields: F): AttributeSet<F> {
  const entries: [string, Field<unknown>][] = Object.entries(fields);
  const byId = new Map<number, [string, Field<unknown>]>();
  for (const [key, f] of entries) byId.set(f.id, [key, f]);

  const encode = (w: Writer, values: AttributeValues<F>): void => {
    const record = values as Record<string, unknown>;
    for (const [key, f] of entries) {
      const value = record[key];
      if (value === undefined) continue;
      const start = w.beginAttribute(f.id);
      f.codec.write(w, value);
      w.endAttribute(start);
    }
  };

  const decode = (buffer: Buffer, path: string = name): AttributeValues<F> => {
    const out: Record<string, unknown> = {};
    for (const { type, payload } of iterateAttributes(buffer, path)) {
      const known = byId.get(type);
      if (!known) continue;
      const [key, f] = known;
      out[key] = f.codec.read(payload, `${path}.${key}`);
    }
    return out as AttributeValues<F>;
  };

  return {
    name,
    fields,
    encode,
    decode,
    write: encode,
    read: (payload, path) => decode(payload, path),
  };
}

/**
 * A nested attribute whose payload is another attribute set. The kernel's
 * IPVS replies build nests without NLA_F_NESTED and its policies accept both,
 * so we send them the same way (`ipvsadm` does too).
 */
export const nested = <F>(set: AttributeSet<F>): Codec<AttributeValues<F>> => set;

export interface RawAttribute {
  readonly type: number;
  readonly nested: boolean;
  readonly payload: Buffer;
}

/** Walks the TLVs of `buffer`, checking every length against the buffer. */
export function* iterateAttributes(buffer: Buffer, path: string): Generator<RawAttribute> {
  let at = 0;
  while (at < buffer.length) {
    if (buffer.length - at < NLA_HDRLEN) {
      throw new NetlinkDecodeError(path, `${buffer.length - at} trailing bytes, too short for an attribute header`);
    }
    const length = buffer.readUInt16LE(at);
    const rawType = buffer.readUInt16LE(at + 2);
    if (length < NLA_HDRLEN || at + length > buffer.length) {
      throw new NetlinkDecodeError(
        path,
        `attribute type ${rawType & NLA_TYPE_MASK} has length ${length} at offset ${at} of ${buffer.length}`,
      );
    }
    yield {
      type: rawType & NLA_TYPE_MASK,
      nested: (rawType & NLA_F_NESTED) !== 0,
      payload: buffer.subarray(at + NLA_HDRLEN, at + length),
    };
    at += align4(length);
  }
}
