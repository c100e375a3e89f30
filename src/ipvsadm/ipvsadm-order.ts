// The order in which ipvsadm 1.31 lists services and real servers, reproduced
// exactly so that `kipvs dump` output can be compared with ipvsadm's byte for byte.
//
// ipvsadm sorts with libipvs's ipvs_cmp_services / ipvs_cmp_dests, which
// subtract unsigned 32-bit fields (fwmark, address words) and read the
// difference as a signed int. The wrap-around makes the order surprising (a
// service on 10.0.0.1 sorts after one on 200.0.0.1, fwmark 4294967295 before
// fwmark 1) and not even transitive, so the result also depends on the sorting
// algorithm and on the input order: glibc's qsort, a top-down merge sort, over
// the entries in the order the kernel dumped them. Both are reproduced here.
import type { AddressFamily } from '../net/ip-address.js';
import { parseIPv6 } from '../net/ip-address.js';
import { inetAton } from './inet-aton.js';
import {
  isFwmarkKey,
  type CountedService,
  type LiveRealServer,
  type LiveService,
  type Protocol,
} from '../ipvs/types.js';

/** AF_INET and AF_INET6 as ipvsadm compares them. */
const AF_NUMBER: Record<AddressFamily, number> = { inet: 2, inet6: 10 };
/** IPPROTO_* numbers. A fwmark service has none (libipvs leaves 0). */
const PROTOCOL_NUMBER: Record<Protocol, number> = { tcp: 6, udp: 17, sctp: 132 };

/** Writes the four host-order 32-bit words of a `union nf_inet_addr` (IPv4 in the first, zeros after) at words[at..at+3]. */
function writeAddressWords(family: AddressFamily, address: string, words: Uint32Array, at: number): void {
  if (family === 'inet') {
    words[at] = inetAton(address) ?? 0;
    words.fill(0, at + 1, at + 4);
    return;
  }
  const bytes = parseIPv6(address);
  for (let w = 0; w < 4; w++) words[at + w] = bytes.readUInt32BE(w * 4);
}

/** The four words as an array. */
export function addressWords(family: AddressFamily, address: string): readonly number[] {
  const words = new Uint32Array(4);
  writeAddressWords(family, address, words, 0);
  return [...words];
}

/** `int r = a - b` for two unsigned 32-bit values, as C computes it. */
function cDifference(a: number, b: number): number {
  return (a - b) | 0;
}

/**
 * glibc's msort_with_tmp: split in halves (the first one floor(n/2) long), sort
 * each, merge taking from the first half while cmp <= 0.
 */
export function glibcMergeSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  const sorted = [...items];
  mergeSort(sorted, new Array<T>(sorted.length), 0, sorted.length, cmp);
  return sorted;
}

function mergeSort<T>(a: T[], tmp: T[], start: number, n: number, cmp: (a: T, b: T) => number): void {
  if (n <= 1) return;
  const n1 = n >> 1;
  mergeSort(a, tmp, start, n1, cmp);
  mergeSort(a, tmp, start + n1, n - n1, cmp);
  let i = start;
  let j = start + n1;
  let k = 0;
  // Indexes stay within a's filled range, so the casts only drop `undefined` from the type.
  while (i < start + n1 && j < start + n) tmp[k++] = cmp(a[i] as T, a[j] as T) <= 0 ? (a[i++] as T) : (a[j++] as T);
  while (i < start + n1) tmp[k++] = a[i++] as T;
  // What is left of the second half is already in place.
  for (let m = 0; m < k; m++) a[start + m] = tmp[m] as T;
}

/**
 * The sort keys of entries side by side in typed arrays, entry i at index i (its address at
 * words[4i..4i+3]): a sort of 100,000 real servers allocates no key object per entry, and the
 * comparisons read numbers. One SortKeys serves every service's real servers in turn.
 */
class SortKeys {
  readonly fwmark: Float64Array;
  readonly af: Uint8Array;
  readonly inet6: Uint8Array;
  readonly protocol: Uint8Array;
  readonly words: Uint32Array;
  readonly port: Float64Array;

  constructor(size: number) {
    this.fwmark = new Float64Array(size);
    this.af = new Uint8Array(size);
    this.inet6 = new Uint8Array(size);
    this.protocol = new Uint8Array(size);
    this.words = new Uint32Array(size * 4);
    this.port = new Float64Array(size);
  }

  /** Entry i: an address (with its protocol and port) or a fwmark. */
  set(i: number, family: AddressFamily, fwmark: number, protocol: number, address: string | undefined, port: number) {
    this.fwmark[i] = fwmark;
    this.af[i] = AF_NUMBER[family];
    this.inet6[i] = family === 'inet6' ? 1 : 0;
    this.protocol[i] = protocol;
    this.port[i] = port;
    if (address === undefined) this.words.fill(0, i * 4, i * 4 + 4);
    else writeAddressWords(family, address, this.words, i * 4);
  }

  /** libipvs compares IPv6 addresses word by word, IPv4 ones by their only word; the first entry's family decides. */
  compareAddresses(a: number, b: number): number {
    const words = this.inet6[a] === 1 ? 4 : 1;
    let r = 0;
    for (let w = 0; r === 0 && w < words; w++) r = cDifference(this.words[a * 4 + w] ?? 0, this.words[b * 4 + w] ?? 0);
    return r;
  }

  /** ipvs_cmp_services. */
  compareServices(a: number, b: number): number {
    return (
      cDifference(this.fwmark[a] ?? 0, this.fwmark[b] ?? 0) ||
      (this.af[a] ?? 0) - (this.af[b] ?? 0) ||
      (this.protocol[a] ?? 0) - (this.protocol[b] ?? 0) ||
      this.compareAddresses(a, b) ||
      (this.port[a] ?? 0) - (this.port[b] ?? 0)
    );
  }

  /** ipvs_cmp_dests. */
  compareRealServers(a: number, b: number): number {
    return this.compareAddresses(a, b) || (this.port[a] ?? 0) - (this.port[b] ?? 0);
  }
}

/** The entries' order under `compare` (glibc's merge sort of their indexes 0..n-1). */
function sortedIndexes(n: number, compare: (a: number, b: number) => number): number[] {
  const indexes = new Array<number>(n);
  for (let i = 0; i < n; i++) indexes[i] = i;
  mergeSort(indexes, new Array<number>(n), 0, n, compare);
  return indexes;
}

/** Services and each one's real servers in ipvsadm's order; the input must be in the kernel's dump order. */
export function inIpvsadmOrder(services: readonly CountedService[]): CountedService[];
export function inIpvsadmOrder(services: readonly LiveService[]): LiveService[];
export function inIpvsadmOrder(services: readonly LiveService[]): LiveService[] {
  const serviceKeys = new SortKeys(services.length);
  services.forEach(({ service: { key } }, i): void => {
    if (isFwmarkKey(key)) serviceKeys.set(i, key.family, key.fwmark, 0, undefined, 0);
    else serviceKeys.set(i, key.family, 0, PROTOCOL_NUMBER[key.protocol], key.address, key.port);
  });
  const order = sortedIndexes(services.length, (a, b) => serviceKeys.compareServices(a, b));
  const most = services.reduce((n, { realServers }) => Math.max(n, realServers.length), 0);
  const keys = new SortKeys(most);
  const byRealServer = (a: number, b: number): number => keys.compareRealServers(a, b);
  return order.map((index) => {
    const { service, realServers } = services[index] as LiveService;
    realServers.forEach((rs, i) => {
      keys.set(i, rs.family, 0, 0, rs.address, rs.port);
    });
    const sorted = sortedIndexes(realServers.length, byRealServer);
    return { service, realServers: sorted.map((i) => realServers[i] as LiveRealServer) };
  });
}
