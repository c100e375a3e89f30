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
import { isFwmarkKey, type CountedService, type LiveService, type Protocol } from '../ipvs/types.js';

/** AF_INET and AF_INET6 as ipvsadm compares them. */
const AF_NUMBER: Record<AddressFamily, number> = { inet: 2, inet6: 10 };
/** IPPROTO_* numbers. A fwmark service has none (libipvs leaves 0). */
const PROTOCOL_NUMBER: Record<Protocol, number> = { tcp: 6, udp: 17, sctp: 132 };

/** The four host-order 32-bit words of a `union nf_inet_addr` (IPv4 in the first, zeros after). */
export function addressWords(family: AddressFamily, address: string): readonly number[] {
  if (family === 'inet') return [inetAton(address) ?? 0, 0, 0, 0];
  const bytes = parseIPv6(address);
  return [0, 4, 8, 12].map((at) => bytes.readUInt32BE(at));
}

/** `int r = a - b` for two unsigned 32-bit values, as C computes it. */
function cDifference(a: number, b: number): number {
  return (a - b) | 0;
}

/** libipvs compares IPv6 addresses word by word, IPv4 ones by their only word; the first entry's family decides. */
function compareAddresses(family: AddressFamily, a: readonly number[], b: readonly number[]): number {
  const words = family === 'inet6' ? 4 : 1;
  let r = 0;
  for (let i = 0; r === 0 && i < words; i++) r = cDifference(a[i] ?? 0, b[i] ?? 0);
  return r;
}

interface SortKey {
  readonly fwmark: number;
  readonly af: number;
  readonly family: AddressFamily;
  readonly protocol: number;
  readonly words: readonly number[];
  readonly port: number;
}

function compareServiceKeys(a: SortKey, b: SortKey): number {
  return (
    cDifference(a.fwmark, b.fwmark) ||
    a.af - b.af ||
    a.protocol - b.protocol ||
    compareAddresses(a.family, a.words, b.words) ||
    a.port - b.port
  );
}

function compareRealServerKeys(a: SortKey, b: SortKey): number {
  return compareAddresses(a.family, a.words, b.words) || a.port - b.port;
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

function sortBy<T>(items: readonly T[], key: (item: T) => SortKey, cmp: (a: SortKey, b: SortKey) => number): T[] {
  const keyed = items.map((item) => ({ item, key: key(item) }));
  return glibcMergeSort(keyed, (a, b) => cmp(a.key, b.key)).map((k) => k.item);
}

/** Services and each one's real servers in ipvsadm's order; the input must be in the kernel's dump order. */
export function inIpvsadmOrder(services: readonly CountedService[]): CountedService[];
export function inIpvsadmOrder(services: readonly LiveService[]): LiveService[];
export function inIpvsadmOrder(services: readonly LiveService[]): LiveService[] {
  const sorted = sortBy(
    services,
    ({ service: { key } }) =>
      isFwmarkKey(key)
        ? {
            fwmark: key.fwmark,
            af: AF_NUMBER[key.family],
            family: key.family,
            protocol: 0,
            words: [0, 0, 0, 0],
            port: 0,
          }
        : {
            fwmark: 0,
            af: AF_NUMBER[key.family],
            family: key.family,
            protocol: PROTOCOL_NUMBER[key.protocol],
            words: addressWords(key.family, key.address),
            port: key.port,
          },
    compareServiceKeys,
  );
  return sorted.map((live) => ({
    service: live.service,
    realServers: sortBy(
      live.realServers,
      (rs) => ({
        fwmark: 0,
        af: AF_NUMBER[rs.family],
        family: rs.family,
        protocol: 0,
        words: addressWords(rs.family, rs.address),
        port: rs.port,
      }),
      compareRealServerKeys,
    ),
  }));
}
