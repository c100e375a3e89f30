// IP address text as kube-proxy accepts it: k8s.io/utils/net ParseIPSloppy, which is Go's
// net.ParseIP except that an IPv4 octet may carry leading zeros, read as decimal ("010" is
// ten). Node's net.isIP differs (it accepts IPv6 zones and refuses leading zeros), hence a
// parser of our own. Bytes only: the model (src/proxy/ip.ts) and the configuration
// (src/config/net-address.ts) each give them the meaning kube-proxy gives them there.

/** Four decimal parts of at most three digits, each 0-255 (leading zeros allowed). A hot path: validation parses every endpoint. */
export function parseSloppyIPv4(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(4);
  let part = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || part === 3) return undefined;
      bytes[part++] = value;
      digits = 0;
      value = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39 || digits === 3) return undefined;
    value = value * 10 + (c - 0x30);
    digits++;
    if (value > 255) return undefined;
  }
  if (part !== 3 || digits === 0) return undefined;
  bytes[3] = value;
  return bytes;
}

/** Colon-hex groups, "::" for one or more zero groups, and an embedded dotted quad as the last two groups. */
export function parseSloppyIPv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string, last: boolean): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (const [i, piece] of pieces.entries()) {
      // An embedded IPv4 address may end the address ("::ffff:10.0.0.1"), as Go accepts.
      if (last && i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseSloppyIPv4(piece);
        if (!v4) return undefined;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
      out.push(parseInt(piece, 16));
    }
    return out;
  };
  const head = groupsOf(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '', true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  // Without "::" there must be exactly eight groups; with it, "::" stands for at least one.
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}
