// Benchmark tables in `ipvsadm -S -n` form: NSVC TCP services x NDEST masqueraded real servers,
// with exactly the addresses ../shared/tools/ipvs-floor.c programs (services 10.x.y.z:80 with
// rr, real servers 11.<d>.<s>:8080 weight 1), and in the order `ipvsadm -Sn` prints them, so the
// same file is the input of a restore, the expected table after it, and the expected dump.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TableSize {
  readonly services: number;
  readonly destinations: number;
}

export function tableLabel(size: TableSize): string {
  return `${size.services}x${size.destinations}`;
}

/** Parses "1000x10". */
export function parseTableSize(text: string): TableSize {
  const match = /^(\d+)x(\d+)$/.exec(text.trim());
  if (match === null) throw new Error(`a table size looks like 1000x10, not '${text}'`);
  const services = Number(match[1]);
  const destinations = Number(match[2]);
  if (services < 1 || services > 65535 || destinations < 1 || destinations > 254) {
    throw new Error(`table size ${text}: 1 to 65535 services and 1 to 254 real servers each`);
  }
  return { services, destinations };
}

function ipv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** The address of service `s` (1-based): 10.x.y.z. */
export function serviceAddress(s: number): string {
  return ipv4(0x0a000000 + s);
}

/** The address of real server `d` (1-based) of service `s`: 11.<d>.<s>. */
export function realServerAddress(s: number, d: number): string {
  return ipv4((0x0b000000 + d * 0x10000 + s) >>> 0);
}

export function ipvsSaveText(size: TableSize): string {
  const lines: string[] = [];
  for (let s = 1; s <= size.services; s++) {
    const service = `${serviceAddress(s)}:80`;
    lines.push(`-A -t ${service} -s rr`);
    for (let d = 1; d <= size.destinations; d++) {
      lines.push(`-a -t ${service} -r ${realServerAddress(s, d)}:8080 -m -w 1`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the table once into dir and returns the file's path. */
export function ipvsSaveFile(dir: string, size: TableSize): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `ipvs-${tableLabel(size)}.save`);
  if (!existsSync(file)) writeFileSync(file, ipvsSaveText(size));
  return file;
}
