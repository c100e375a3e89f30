// Linux capability numbers and names (include/uapi/linux/capability.h), and
// the hexadecimal sets of /proc/PID/status (CapEff and its siblings).

/** Index = capability number, up to CAP_CHECKPOINT_RESTORE (40, Linux 5.9). */
const NAMES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'SETPCAP',
  'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_ADMIN',
  'NET_RAW',
  'IPC_LOCK',
  'IPC_OWNER',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_CHROOT',
  'SYS_PTRACE',
  'SYS_PACCT',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_NICE',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'MKNOD',
  'LEASE',
  'AUDIT_WRITE',
  'AUDIT_CONTROL',
  'SETFCAP',
  'MAC_OVERRIDE',
  'MAC_ADMIN',
  'SYSLOG',
  'WAKE_ALARM',
  'BLOCK_SUSPEND',
  'AUDIT_READ',
  'PERFMON',
  'BPF',
  'CHECKPOINT_RESTORE',
] as const;

export type CapabilityName = (typeof NAMES)[number];

function capabilityNumber(name: CapabilityName): number {
  return NAMES.indexOf(name);
}

/** "NET_ADMIN", or "cap_45" for a capability newer than this table. */
export function capabilityName(number: number): string {
  return NAMES[number] ?? `cap_${number}`;
}

export function hasCapability(set: bigint, name: CapabilityName): boolean {
  return ((set >> BigInt(capabilityNumber(name))) & 1n) === 1n;
}

/** The numbers of the capabilities in a set, lowest first. */
export function capabilityNumbers(set: bigint): number[] {
  const numbers: number[] = [];
  for (let n = 0; set >> BigInt(n) !== 0n; n++) if ((set >> BigInt(n)) & 1n) numbers.push(n);
  return numbers;
}

/** A set field of /proc/PID/status ("CapEff:\t000001ffffffffff"); undefined when absent. */
export function parseCapabilitySet(status: string, field: 'CapEff' | 'CapPrm' | 'CapBnd'): bigint | undefined {
  const match = new RegExp(`^${field}:\\s*([0-9a-fA-F]+)\\s*$`, 'm').exec(status);
  return match?.[1] === undefined ? undefined : BigInt(`0x${match[1]}`);
}
