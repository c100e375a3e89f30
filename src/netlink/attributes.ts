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
  /**
   * NLA_F_NESTED / NLA_F_NET_BYTEORDER bits the attribute carries in its type
   * on the wire (see withTypeFlags); none when absent.
   */
  readonly typeFlags?: number;
  write(w: Writer, value: T): void;
  /**
   * Reads the payload at source[start, end) (no view is made of it: a dump
   * decodes millions of attributes); `path` names it for errors.
   */
  read(source: Buffer, start: number, end: number, path: string): T;
}

/** A codec whose payload always has the same size: usable as a struct member (struct.ts). */
export interface FixedCodec<T> extends Codec<T> {
  readonly size: number;
}

function fixed<T>(size: number, write: (w: Writer, v: T) => void, read: (b: Buffer, at: number) => T): FixedCodec<T> {
  return {
    size,
    write,
    read(source, start, end, path) {
      // The kernel may send a wider payload than an old header declares (e.g.
      // an attribute grown from u32 to u64 is not done, but structs grow); a
      // shorter one is always a decode error.
      if (end - start < size) throw new NetlinkDecodeError(path, `expected ${size} bytes, got ${end - start}`);
      return read(source, start);
    },
  };
}

export const u8: FixedCodec<number> = fixed(
  1,
  (w, v) => w.u8(v),
  (b, at) => b.readUInt8(at),
);
export const u16: FixedCodec<number> = fixed(
  2,
  (w, v) => w.u16(v),
  (b, at) => b.readUInt16LE(at),
);
export const u32: FixedCodec<number> = fixed(
  4,
  (w, v) => w.u32(v),
  (b, at) => b.readUInt32LE(at),
);
export const u64: FixedCodec<bigint> = fixed(8, (w, v) => w.u64(v), readU64);
/** Network byte order integers (ports, some addresses). */
export const be16: FixedCodec<number> = fixed(
  2,
  (w, v) => w.be16(v),
  (b, at) => b.readUInt16BE(at),
);
export const be32: FixedCodec<number> = fixed(
  4,
  (w, v) => w.be32(v),
  (b, at) => b.readUInt32BE(at),
);

/** Raw bytes (addresses, structs handled by a caller): a copy, safe to keep. */
export const bytes: Codec<Buffer> = {
  write: (w, v) => w.bytes(v),
  read: (source, start, end) => Buffer.from(source.subarray(start, end)),
};

/**
 * Raw bytes decoded as a view of the received datagram, not a copy: for
 * values turned into something else at once (an address into its text).
 */
export const bytesView: Codec<Buffer> = {
  write: (w, v) => w.bytes(v),
  read: (source, start, end) => source.subarray(start, end),
};

/**
 * A u64 in host order. Counters are mostly below 2^32: then one BigInt is
 * made, where readBigUInt64LE makes several (a dump reads millions).
 */
function readU64(b: Buffer, at: number): bigint {
  const low = b.readUInt32LE(at);
  const high = b.readUInt32LE(at + 4);
  return high === 0 ? BigInt(low) : (BigInt(high) << 32n) | BigInt(low);
}

/** A NUL-terminated string (NLA_NUL_STRING / NLA_STRING as the kernel sends them). */
export const cstring: Codec<string> = {
  write(w, v) {
    w.bytes(Buffer.from(v, 'utf8'));
    w.u8(0);
  },
  read(source, start, end) {
    const nul = source.indexOf(0, start);
    return source.toString('utf8', start, nul === -1 || nul > end ? end : nul);
  },
};

/** A flag attribute: present (true) or absent. */
export const flag: Codec<true> = {
  write: () => undefined,
  read: () => true,
};

/** A fixed-size struct of consecutive u32 fields in host order (e.g. struct ip_vs_flags). */
export function u32Struct<K extends string>(...names: readonly K[]): FixedCodec<Record<K, number>> {
  return fixed(
    4 * names.length,
    (w, v) => {
      for (const name of names) w.u32(v[name]);
    },
    (b, at) => Object.fromEntries(names.map((name, i) => [name, b.readUInt32LE(at + 4 * i)])) as Record<K, number>,
  );
}

/**
 * The same codec, with `flags` (NLA_F_NESTED, NLA_F_NET_BYTEORDER) set in the
 * attribute type it is sent with. Decoding masks them off either way. Most
 * families ignore them; some check them (ipset refuses a nest without
 * NLA_F_NESTED and a big-endian integer without NLA_F_NET_BYTEORDER).
 */
export function withTypeFlags<T>(codec: Codec<T>, flags: number): Codec<T> {
  return {
    typeFlags: (codec.typeFlags ?? 0) | flags,
    write: (w, value) => codec.write(w, value),
    read: (source, start, end, path) => codec.read(source, start, end, path),
  };
}

/**
 * A nest that holds a list: every attribute inside it is one item, of type
 * `itemType` (e.g. IPSET_ATTR_ADT holding one IPSET_ATTR_DATA per entry).
 * Attributes of other types inside are skipped, as unknown attributes are.
 */
export function nestedList<T>(itemType: number, item: Codec<T>): Codec<T[]> {
  const wireType = itemType | (item.typeFlags ?? 0);
  return {
    write(w, values) {
      for (const value of values) {
        const start = w.beginAttribute(wireType);
        item.write(w, value);
        w.endAttribute(start);
      }
    },
    read(source, start, end, path) {
      const items: T[] = [];
      for (let at = start; at < end; ) {
        const length = attributeLength(source, at, end, path);
        if ((source.readUInt16LE(at + 2) & NLA_TYPE_MASK) === itemType) {
          items.push(item.read(source, at + NLA_HDRLEN, at + length, `${path}[${items.length}]`));
        }
        at += align4(length);
      }
      return items;
    },
  };
}

/** One attribute of a set: its type number and payload codec. */
export interface Field<T> {
  readonly id: number;
  readonly codec: Codec<T>;
  /** The nla_type written: the id with the codec's type flags. */
  readonly wireType: number;
}

export function field<T>(id: number, codec: Codec<T>): Field<T> {
  return { id, codec, wireType: id | (codec.typeFlags ?? 0) };
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
  const byId: ([string, Field<unknown>] | undefined)[] = [];
  for (const [key, f] of entries) byId[f.id] = [key, f];
  // Decoded values start as a copy of this, so every result of a set has one
  // shape (fields in table order, absent ones undefined): filling a fixed
  // shape is several times faster than adding properties in arrival order.
  const blank: Record<string, unknown> = Object.fromEntries(entries.map(([key]) => [key, undefined]));
  // The error path of every field under a given parent path ("IPVS_CMD.service"
  // -> "IPVS_CMD.service.port"), built once rather than per attribute decoded.
  const fieldPaths = new Map<string, Map<number, string>>();
  const pathsUnder = (path: string): Map<number, string> => {
    let paths = fieldPaths.get(path);
    if (!paths) {
      paths = new Map(entries.map(([key, f]) => [f.id, `${path}.${key}`]));
      fieldPaths.set(path, paths);
    }
    return paths;
  };

  const encode = (w: Writer, values: AttributeValues<F>): void => {
    const record = values as Record<string, unknown>;
    for (const [key, f] of entries) {
      const value = record[key];
      if (value === undefined) continue;
      const start = w.beginAttribute(f.wireType);
      f.codec.write(w, value);
      w.endAttribute(start);
    }
  };

  const read = (source: Buffer, start: number, end: number, path: string): AttributeValues<F> => {
    const out: Record<string, unknown> = { ...blank };
    const paths = pathsUnder(path);
    let at = start;
    while (at < end) {
      const length = attributeLength(source, at, end, path);
      const type = source.readUInt16LE(at + 2) & NLA_TYPE_MASK;
      const known = byId[type];
      if (known) out[known[0]] = known[1].codec.read(source, at + NLA_HDRLEN, at + length, paths.get(type) as string);
      at += align4(length);
    }
    return out as AttributeValues<F>;
  };

  return {
    name,
    fields,
    encode,
    decode: (buffer, path = name) => read(buffer, 0, buffer.length, path),
    write: encode,
    read,
  };
}

/**
 * A nested attribute whose payload is another attribute set. The kernel's
 * IPVS replies build nests without NLA_F_NESTED and its policies accept both,
 * so we send them the same way (`ipvsadm` does too).
 */
export const nested = <F>(set: AttributeSet<F>): Codec<AttributeValues<F>> => set;

/** Checks the struct nlattr at `at` against the enclosing [.., end) and returns its nla_len. */
export function attributeLength(source: Buffer, at: number, end: number, path: string): number {
  if (end - at < NLA_HDRLEN) {
    throw new NetlinkDecodeError(path, `${end - at} trailing bytes, too short for an attribute header`);
  }
  const length = source.readUInt16LE(at);
  if (length < NLA_HDRLEN || at + length > end) {
    const type = source.readUInt16LE(at + 2) & NLA_TYPE_MASK;
    throw new NetlinkDecodeError(path, `attribute type ${type} has length ${length} at offset ${at} of ${end}`);
  }
  return length;
}

export interface RawAttribute {
  readonly type: number;
  readonly nested: boolean;
  readonly payload: Buffer;
}

/** Walks the TLVs of `buffer`, checking every length against the buffer. */
export function* iterateAttributes(buffer: Buffer, path: string): Generator<RawAttribute> {
  for (let at = 0; at < buffer.length; ) {
    const length = attributeLength(buffer, at, buffer.length, path);
    const rawType = buffer.readUInt16LE(at + 2);
    yield {
      type: rawType & NLA_TYPE_MASK,
      nested: (rawType & NLA_F_NESTED) !== 0,
      payload: buffer.subarray(at + NLA_HDRLEN, at + length),
    };
    at += align4(length);
  }
}
