// Flag value syntax as kube-proxy's flag library (spf13/pflag and the
// Kubernetes flag types) accepts it: strconv.ParseBool, ParseInt with base 0
// ("0x1f", "017", "1_000"), CSV string slices, key=bool maps, IP and IP:port
// values checked when the flag is set, and klog's -v and --vmodule.
import { parseGoDuration } from '../duration.js';
import { isIp, splitHostPort } from '../net-address.js';
import { parsePortRange } from '../port-range.js';

export type FlagValue = { ok: true; value: unknown } | { ok: false; message: string };

const ok = (value: unknown): FlagValue => ({ ok: true, value });
const bad = (message: string): FlagValue => ({ ok: false, message });

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** strconv.ParseBool. */
export function parseGoBool(text: string): boolean | undefined {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return undefined;
}

/** strconv.ParseInt(text, 0, bits): sign, 0x/0o/0b/0 prefixes, "_" digit separators. */
export function parseGoInt(text: string, bits: 32 | 64 = 32): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(text);
  if (!m) return undefined;
  const [, sign = '', body = ''] = m;
  // Go's underscoreOK: an underscore must sit between digits (a base prefix counts as one).
  if (/__|_$/.test(body)) return undefined;
  const digits = body.replace(/_/g, '');
  let value: bigint;
  if (/^0[xX]/.test(digits)) value = BigInt(digits);
  else if (/^0[oO]/.test(digits)) value = BigInt(`0o${digits.slice(2)}`);
  else if (/^0[bB]/.test(digits)) value = BigInt(digits);
  else if (/^0[0-7]+$/.test(digits)) value = BigInt(`0o${digits.slice(1)}`);
  else value = BigInt(digits);
  if (sign === '-') value = -value;
  const limit = 1n << BigInt(bits - 1);
  if (value < -limit || value >= limit) return undefined;
  return Number(value);
}

export function parseFlagValue(type: string, text: string): FlagValue {
  switch (type) {
    case 'string':
      return ok(text);
    case 'bool': {
      const b = parseGoBool(text);
      return b === undefined ? bad(`${JSON.stringify(text)} is not a boolean (true or false)`) : ok(b);
    }
    case 'int32': {
      const n = parseGoInt(text, 32);
      return n === undefined ? bad(`${JSON.stringify(text)} is not a 32-bit integer`) : ok(n);
    }
    case 'level': {
      if (!/^[0-9]+$/.test(text) || Number(text) > 2 ** 32 - 1)
        return bad(`${JSON.stringify(text)} is not a verbosity level (0, 1, 2, ...)`);
      return ok(Number(text));
    }
    case 'float32': {
      const n = text.trim() === text && text !== '' ? Number(text) : Number.NaN;
      return Number.isFinite(n) ? ok(n) : bad(`${JSON.stringify(text)} is not a number`);
    }
    case 'duration': {
      const d = parseGoDuration(text);
      // The configuration schema decodes the text again; keep it as written.
      return d.ok ? ok(text) : bad(`${d.message} (e.g. 30s, 1m30s, 250ms)`);
    }
    case 'ip':
      return text === '' || isIp(text) ? ok(text) : bad(`${JSON.stringify(text)} is not a valid IP address`);
    case 'ipPort':
      return parseIpPort(text);
    case 'portRange': {
      const r = parsePortRange(text);
      return r.ok ? ok(text) : bad(r.message);
    }
    case 'quantity':
      return /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.test(
        text.trim(),
      )
        ? ok(text.trim())
        : bad(`${JSON.stringify(text)} is not a quantity (e.g. 0, 512Ki, 1Mi)`);
    case 'stringSlice':
      return parseCsvRecord(text);
    case 'mapStringBool':
      return parseMapStringBool(text);
    case 'vmodule':
      return parseVModule(text);
    default:
      return bad(`unsupported flag type ${type}`);
  }
}

/** Kubernetes IPPortVar: empty, an IP, or IP:port with a numeric port. */
function parseIpPort(text: string): FlagValue {
  if (text === '' || isIp(text)) return ok(text);
  const split = splitHostPort(text);
  if (!split.ok) return bad(`${JSON.stringify(text)} is neither an IP nor IP:port (${split.message})`);
  if (!isIp(split.host)) return bad(`${JSON.stringify(split.host)} is not a valid IP address`);
  if (!/^[0-9]+$/.test(split.port) || Number(split.port) > 65535)
    return bad(`${JSON.stringify(split.port)} is not a valid port`);
  return ok(text);
}

/** pflag's string slices are one CSV record: "a,b", and "\"a,b\",c" for a comma inside. */
export function parseCsvRecord(text: string): FlagValue {
  if (text === '') return ok([]);
  const fields: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let field = '';
      i++;
      for (;;) {
        if (i >= text.length) return bad(`unterminated quote in ${JSON.stringify(text)}`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i];
        i++;
      }
      if (i < text.length && text[i] !== ',')
        return bad(`unexpected text after a quoted field in ${JSON.stringify(text)}`);
      fields.push(field);
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      const field = text.slice(i, end);
      if (field.includes('"')) return bad(`stray quote in ${JSON.stringify(text)}`);
      fields.push(field);
      i = end;
    }
    i++; // past the comma (or the end)
  }
  return ok(fields);
}

/** Kubernetes MapStringBool: "A=true,B=false"; blank items are skipped. */
function parseMapStringBool(text: string): FlagValue {
  const out: Record<string, boolean> = {};
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) return bad(`malformed pair ${JSON.stringify(item)}, expected name=true|false`);
    const key = item.slice(0, eq).trim();
    const b = parseGoBool(item.slice(eq + 1).trim());
    if (b === undefined)
      return bad(`invalid value for ${key}: ${JSON.stringify(item.slice(eq + 1).trim())} is not true or false`);
    out[key] = b;
  }
  return ok(out);
}

/** klog's vmodule: "pattern=N,pattern=N". */
function parseVModule(text: string): FlagValue {
  const items: { filePattern: string; verbosity: number }[] = [];
  if (text === '') return ok(items);
  for (const pat of text.split(',')) {
    const eq = pat.indexOf('=');
    const filePattern = eq < 0 ? pat : pat.slice(0, eq);
    const level = eq < 0 ? '' : pat.slice(eq + 1);
    if (filePattern === '' || !/^[0-9]+$/.test(level)) return bad(`${JSON.stringify(pat)} is not pattern=N`);
    items.push({ filePattern, verbosity: Number(level) });
  }
  return ok(items);
}
