// Fixed C structs at the head of a message payload, before its attributes:
// struct ifinfomsg and ifaddrmsg (rtnetlink), struct nfgenmsg (nfnetlink).
// Described once, as a table of members in declaration order, like attribute
// sets; the table writes and reads the struct.
//
//   const ifaddrmsg = struct('ifaddrmsg', { family: u8, prefixLength: u8, flags: u8, scope: u8, index: u32 });
//
// Members are laid out back to back: a C struct's own padding is written out
// as a `padding(n)` member, so the table is the layout byte for byte.
import { NetlinkDecodeError } from './errors.js';
import type { AttributeSet, AttributeValues, FixedCodec } from './attributes.js';
import type { RequestLabel } from './errors.js';
import type { NetlinkMessage } from './message.js';
import type { Request } from './socket.js';
import { align4, type Writer } from './writer.js';

/** Bytes of a struct that carry nothing (written as zeros, skipped when read). */
export interface Padding {
  readonly padding: number;
}

export function padding(bytes: number): Padding {
  return { padding: bytes };
}

type Member = FixedCodec<unknown> | Padding;

/** The values of a struct: one per member that is not padding. */
export type StructValues<M> = {
  readonly [K in keyof M as M[K] extends Padding ? never : K]: M[K] extends FixedCodec<infer T> ? T : never;
};

export interface StructCodec<M> {
  readonly name: string;
  /** sizeof the struct. */
  readonly size: number;
  write(w: Writer, values: StructValues<M>): void;
  /** Reads the struct at source[at..]; a buffer too short for it is a NetlinkDecodeError. */
  read(source: Buffer, at: number, path?: string): StructValues<M>;
}

function isPadding(member: Member): member is Padding {
  return 'padding' in member;
}

export function struct<M extends Record<string, Member>>(name: string, members: M): StructCodec<M> {
  const layout = Object.entries(members);
  const size = layout.reduce((sum, [, member]) => sum + (isPadding(member) ? member.padding : member.size), 0);
  return {
    name,
    size,
    write(w, values) {
      const record = values as Record<string, unknown>;
      for (const [key, member] of layout) {
        if (isPadding(member)) for (let i = 0; i < member.padding; i++) w.u8(0);
        else member.write(w, record[key]);
      }
    },
    read(source, at, path = name) {
      if (source.length - at < size)
        throw new NetlinkDecodeError(path, `expected ${size} bytes, got ${Math.max(0, source.length - at)}`);
      const out: Record<string, unknown> = {};
      let offset = at;
      for (const [key, member] of layout) {
        if (isPadding(member)) {
          offset += member.padding;
        } else {
          out[key] = member.read(source, offset, offset + member.size, `${path}.${key}`);
          offset += member.size;
        }
      }
      return out as StructValues<M>;
    },
  };
}

/** A request whose payload is a fixed struct, then one attribute set. */
export function structRequest<M, F>(options: {
  type: number;
  flags?: number;
  label: RequestLabel;
  header: StructCodec<M>;
  headerValues: StructValues<M>;
  attributes: AttributeSet<F>;
  values: AttributeValues<F>;
}): Request {
  const { header, headerValues, attributes, values } = options;
  return {
    type: options.type,
    ...(options.flags !== undefined && { flags: options.flags }),
    label: options.label,
    writePayload(w) {
      header.write(w, headerValues);
      w.pad(); // attributes start NLMSG_ALIGNed after the struct
      attributes.encode(w, values);
    },
  };
}

/** Decodes a message whose payload is `header`, then attributes of one set. */
export function decodeStructMessage<M, F>(
  msg: NetlinkMessage,
  header: StructCodec<M>,
  attributes: AttributeSet<F>,
): { header: StructValues<M>; attributes: AttributeValues<F> } {
  return decodeStructAt(msg.payload, 0, msg.payload.length, header, attributes);
}

/** decodeStructMessage of the payload source[start, end), as a dump's reply range gives it. */
export function decodeStructAt<M, F>(
  source: Buffer,
  start: number,
  end: number,
  header: StructCodec<M>,
  attributes: AttributeSet<F>,
): { header: StructValues<M>; attributes: AttributeValues<F> } {
  const length = end - start;
  const first = align4(header.size);
  // The struct's own check sees the buffer's end, not the message's: a range shares its buffer.
  if (header.size > length) throw new NetlinkDecodeError(header.name, `expected ${header.size} bytes, got ${length}`);
  if (first > length)
    throw new NetlinkDecodeError(header.name, `no room for its alignment in a ${length}-byte payload`);
  return {
    header: header.read(source, start),
    attributes: attributes.read(source, start + first, end, attributes.name),
  };
}
