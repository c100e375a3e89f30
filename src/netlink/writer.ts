// A growable little buffer writer for building many netlink messages into one
// datagram without intermediate allocations. Netlink integers are in host byte
// order (little-endian on every platform kipvs targets: x86-64, arm64).
import { NLA_HDRLEN, NLMSG_HDRLEN } from './constants.js';

/** Netlink aligns messages and attributes to 4 bytes (NLMSG_ALIGN, NLA_ALIGN). */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Little-endian stores of the header fields into room reserve() has made: Buffer's methods
 * check their bounds and arguments through several calls each (about a tenth of a first sync's
 * encoding at 50,000 Services). The u32 fields stored here are lengths and sequence numbers
 * already made unsigned.
 */
function putU16(buf: Buffer, at: number, v: number): void {
  // An attribute or message of 64 KiB or more cannot be framed: never written truncated.
  if (!(v >= 0 && v <= 0xffff)) throw new RangeError(`${v} does not fit a netlink u16 field`);
  buf[at] = v & 0xff;
  buf[at + 1] = (v >>> 8) & 0xff;
}

function putU32(buf: Buffer, at: number, v: number): void {
  buf[at] = v & 0xff;
  buf[at + 1] = (v >>> 8) & 0xff;
  buf[at + 2] = (v >>> 16) & 0xff;
  buf[at + 3] = (v >>> 24) & 0xff;
}

export class Writer {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 4096) {
    this.buf = Buffer.alloc(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(from = 0, to = this.pos): Buffer {
    return this.buf.subarray(from, to);
  }

  /** A copy of the bytes written so far, and a reset for reuse. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  /** Drops everything written after `length` (a message that did not fit). */
  truncate(length: number): void {
    this.pos = length;
  }

  /**
   * Makes room for n bytes and returns where they go. It may replace
   * this.buf, so callers must call it before reading this.buf: in
   * `this.buf.write(v, this.reserve(n))` the old buffer would be written.
   */
  private reserve(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.length) {
      const grown = Buffer.alloc(Math.max(this.buf.length * 2, at + n));
      this.buf.copy(grown, 0, 0, at);
      this.buf = grown;
    }
    this.pos = at + n;
    return at;
  }

  u8(v: number): void {
    const at = this.reserve(1);
    this.buf.writeUInt8(v, at);
  }
  u16(v: number): void {
    const at = this.reserve(2);
    this.buf.writeUInt16LE(v, at); // checks the value: a caller's number must fit
  }
  u32(v: number): void {
    const at = this.reserve(4);
    this.buf.writeUInt32LE(v, at); // checks the value: a caller's number must fit
  }
  u64(v: bigint): void {
    const at = this.reserve(8);
    this.buf.writeBigUInt64LE(v, at);
  }
  be16(v: number): void {
    const at = this.reserve(2);
    this.buf.writeUInt16BE(v, at);
  }
  be32(v: number): void {
    const at = this.reserve(4);
    this.buf.writeUInt32BE(v, at);
  }
  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
  }
  /** Bytes `start` to `end` of `source`, without making a view of them first. */
  copyFrom(source: Buffer, start: number, end: number): void {
    const at = this.reserve(end - start);
    source.copy(this.buf, at, start, end);
  }
  /** Zero padding up to the next 4-byte boundary. */
  pad(): void {
    const n = align4(this.pos) - this.pos;
    if (n > 0) {
      const at = this.reserve(n);
      this.buf.fill(0, at, this.pos);
    }
  }

  /** Starts an attribute (struct nlattr); `endAttribute` fills in its length. */
  beginAttribute(type: number): number {
    const at = this.reserve(NLA_HDRLEN);
    putU16(this.buf, at + 2, type);
    return at;
  }
  endAttribute(start: number): void {
    // nla_len counts header and payload but not the trailing padding.
    putU16(this.buf, start, this.pos - start);
    this.pad();
  }

  /** Starts a message (struct nlmsghdr); `endMessage` fills in its length. */
  beginMessage(type: number, flags: number, seq: number, portId = 0): number {
    const at = this.reserve(NLMSG_HDRLEN);
    putU16(this.buf, at + 4, type);
    putU16(this.buf, at + 6, flags);
    putU32(this.buf, at + 8, seq >>> 0);
    putU32(this.buf, at + 12, portId >>> 0);
    return at;
  }
  endMessage(start: number): void {
    this.pad();
    putU32(this.buf, start, this.pos - start);
  }
  /** Rewrites the flags of a message already written (e.g. to add NLM_F_ACK). */
  setMessageFlags(start: number, flags: number): void {
    putU16(this.buf, start + 6, flags);
  }
  messageFlags(start: number): number {
    return this.buf.readUInt16LE(start + 6);
  }
}
