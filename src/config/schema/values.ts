// The value types a KubeProxyConfiguration is made of, as Zod codecs: each
// decodes what Go's strict JSON decoder would accept for the Go type (kube-proxy
// decodes YAML by converting it to JSON first) and encodes back to the text
// kube-proxy writes. Rules about *which* values are allowed (ranges, CIDRs,
// modes) are kube-proxy's validation, in ../validation.ts, because a zero in
// the file means "use the default" and can only be judged after defaulting.
import { z } from 'zod';
import { Duration, parseGoDuration } from '../duration.js';

/** A decoded duration (Duration's constructor is private, so no z.instanceof). */
const durationValue = z.custom<Duration>((v) => v instanceof Duration, { error: 'expected a duration' });

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;

export const goString = z.string();
export const goBool = z.boolean();

/** Go int32: an integer in range; "1.0" is fine (YAML gives 1), 1.5 is not. */
export const int32 = z
  .number()
  .int({ error: 'must be a whole number' })
  .min(INT32_MIN, { error: `must fit in a 32-bit signed integer (${INT32_MIN}..${INT32_MAX})` })
  .max(INT32_MAX, { error: `must fit in a 32-bit signed integer (${INT32_MIN}..${INT32_MAX})` });

/** Go uint32 (klog verbosity levels). */
export const uint32 = z
  .number()
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must not be negative' })
  .max(UINT32_MAX, { error: `must fit in a 32-bit unsigned integer (0..${UINT32_MAX})` });

/** Go float32 (client QPS). */
export const float32 = z.number().refine(Number.isFinite, { error: 'must be a finite number' });

/** metav1.Duration: always a string in JSON, read by time.ParseDuration. */
export const duration = z.codec(z.string(), durationValue, {
  decode: (text, ctx) => {
    const parsed = parseGoDuration(text);
    if (parsed.ok) return parsed.value;
    ctx.issues.push({
      code: 'custom',
      message: `${parsed.message} (use Go duration syntax such as 30s, 1m30s, 250ms)`,
      input: text,
    });
    return z.NEVER;
  },
  encode: (d) => d.toString(),
});

/**
 * component-base's TimeOrMetaDuration (logging.flushFrequency): a duration
 * string, or a plain integer counting nanoseconds.
 */
export const timeOrDuration = z.codec(z.union([z.string(), z.number().int()]), durationValue, {
  decode: (value, ctx) => {
    if (typeof value === 'number') {
      if (Number.isSafeInteger(value)) return Duration.fromNanoseconds(BigInt(value));
      ctx.issues.push({ code: 'custom', message: 'nanosecond count out of range', input: value });
      return z.NEVER;
    }
    const parsed = parseGoDuration(value);
    if (parsed.ok) return parsed.value;
    ctx.issues.push({ code: 'custom', message: parsed.message, input: value });
    return z.NEVER;
  },
  encode: (d) => d.toString(),
});

// resource.Quantity: a decimal with an optional exponent or SI/binary suffix.
const QUANTITY = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** resource.QuantityValue (logging buffer sizes): "0", "64Ki", or a number. */
export const quantity = z.codec(z.union([z.string(), z.number()]), z.string(), {
  decode: (value, ctx) => {
    const text = typeof value === 'number' ? String(value) : value.trim();
    if (QUANTITY.test(text)) return text;
    ctx.issues.push({
      code: 'custom',
      message: `${JSON.stringify(value)} is not a quantity (e.g. 0, 512Ki, 1Mi)`,
      input: value,
    });
    return z.NEVER;
  },
  encode: (text) => text,
});

export const stringList = z.array(z.string());

/** featureGates: a map of gate name to on/off. */
export const featureGateMap = z.record(z.string(), z.boolean());
