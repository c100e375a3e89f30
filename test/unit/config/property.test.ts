// Whatever arrives, the loaders answer with a value or with typed problems:
// never a crash, never a partial result.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { normalizePflagArgs } from '../../../src/cli/proxy-flags.js';
import { decodeKubeconfig } from '../../../src/config/credentials/kubeconfig.js';
import { decodeKubeProxyConfiguration, encodeKubeProxyConfiguration } from '../../../src/config/decode.js';
import { applyKubeProxyDefaults } from '../../../src/config/defaults.js';
import { PROXY_FLAGS } from '../../../src/config/flags/table.js';
import { ConfigError } from '../../../src/config/problems.js';
import { resolveProxyConfig } from '../../../src/config/resolve.js';
import { fieldPaths } from '../../../src/config/schema/issues.js';
import { KubeProxyConfigurationSchema } from '../../../src/config/schema/kube-proxy-configuration.js';
import { validateKubeProxyConfiguration } from '../../../src/config/validation.js';
import { formatKubeProxyConfiguration } from '../../../src/config/write.js';

const HEAD = 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n';
const RUNS = { numRuns: 300 };

/** Decoding either yields a document and no problems, or problems with a path and a message. */
function expectWellFormed(result: ReturnType<typeof decodeKubeProxyConfiguration>): void {
  if (result.problems.length === 0) expect(result.document).toBeDefined();
  for (const p of result.problems) {
    expect(typeof p.path).toBe('string');
    expect(p.message.length).toBeGreaterThan(0);
  }
  if (result.document) {
    // Whatever was readable can be defaulted and validated without throwing.
    validateKubeProxyConfiguration(applyKubeProxyDefaults(result.document));
  }
}

const FIELD_NAMES = [...new Set(fieldPaths(KubeProxyConfigurationSchema).map((p) => p.split('.').pop() ?? p))];
const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('30s', '1m0s', '-1s', '10.0.0.0/8', 'ipvs', 'rr', '0.0.0.0:10256', 'yes', '~'),
);
/** Objects shaped like a configuration: known names at any depth, random values. */
const configLike: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ maxDepth: 3 }, scalar, fc.array(tie('value'), { maxLength: 3 }), tie('object')),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string()), tie('value'), { maxKeys: 6 }),
})).object;

describe('decodeKubeProxyConfiguration never throws', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) =>
        expectWellFormed(decodeKubeProxyConfiguration(text, 'f')),
      ),
      RUNS,
    );
  });

  it('on arbitrary text after a valid header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) =>
        expectWellFormed(decodeKubeProxyConfiguration(HEAD + text, 'f')),
      ),
      RUNS,
    );
  });

  it('on arbitrary YAML values', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => expectWellFormed(decodeKubeProxyConfiguration(stringify(value), 'f'))),
      RUNS,
    );
  });

  it('on configuration-shaped documents', () => {
    fc.assert(
      fc.property(configLike, (value) => {
        const doc = {
          apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
          kind: 'KubeProxyConfiguration',
          ...(value as object),
        };
        expectWellFormed(decodeKubeProxyConfiguration(stringify(doc), 'f'));
      }),
      RUNS,
    );
  });

  it('on YAML bombs and tricks', () => {
    const bomb =
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
    for (const text of [
      bomb,
      '!!binary x',
      '? [a]\n: b',
      '<<: {mode: ipvs}',
      '&x a: *x',
      `${HEAD}constructor: {}\n`,
      `${HEAD}__proto__: {mode: x}\n`,
      '\u0000',
      '%YAML 9.9\n---\na: 1',
    ]) {
      expectWellFormed(decodeKubeProxyConfiguration(text, 'f'));
    }
  });
});

describe('decodeKubeconfig never throws', () => {
  it('on arbitrary YAML values and text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything().map((v) => stringify(v)),
          fc.string({ maxLength: 200 }),
        ),
        (text) => {
          const result = decodeKubeconfig(text, 'k');
          if (!result.ok) expect(result.problems.length).toBeGreaterThan(0);
        },
      ),
      RUNS,
    );
  });
});

/** Settings a person might write, including strings YAML 1.1 would read as something else. */
const validDocument = fc.record(
  {
    hostnameOverride: fc.oneof(
      fc.string(),
      fc.constantFrom('yes', 'no', 'on', '0644', '1:30', 'null', '~', '2024-01-01', '-', 'true'),
    ),
    clusterCIDR: fc.constantFrom('', '10.244.0.0/16', '10.244.0.0/16,fd00:10:244::/56'),
    nodePortAddresses: fc.array(fc.constantFrom('primary', '10.0.0.0/8', 'fd00::/64'), { maxLength: 3 }),
    oomScoreAdj: fc.integer({ min: -1000, max: 1000 }),
    ipvs: fc.record(
      {
        scheduler: fc.constantFrom('', 'rr', 'wrr', 'sh', 'mh'),
        syncPeriod: fc.constantFrom('30s', '1m0s', '1h2m3.5s'),
        minSyncPeriod: fc.constantFrom('0s', '1s', '250ms'),
        strictARP: fc.boolean(),
        excludeCIDRs: fc.array(fc.constantFrom('10.0.0.0/8', '192.168.0.0/16'), { maxLength: 2 }),
        tcpTimeout: fc.constantFrom('0s', '15m0s'),
      },
      { requiredKeys: [] },
    ),
    iptables: fc.record(
      { masqueradeAll: fc.boolean(), masqueradeBit: fc.integer({ min: 0, max: 31 }) },
      { requiredKeys: [] },
    ),
    // Gates kube-proxy knows and that may be set either way (an unknown one is refused).
    featureGates: fc.dictionary(
      fc.constantFrom('ContextualLogging', 'AllBeta', 'MemoryQoS', 'WatchList', 'InOrderInformers'),
      fc.boolean(),
      { maxKeys: 3 },
    ),
  },
  { requiredKeys: [] },
);

describe('a valid configuration', () => {
  it('survives write and read back unchanged (what --write-config-to writes, kipvs loads the same)', () => {
    fc.assert(
      fc.property(validDocument, (fields) => {
        // Written as YAML 1.1, which quotes "yes", "0644" and the like, as a person must.
        const text = stringify(
          { apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', ...fields },
          { version: '1.1' },
        );
        const first = decodeKubeProxyConfiguration(text, 'in');
        expect(first.problems).toEqual([]);
        const cfg = applyKubeProxyDefaults(first.document);
        expect(validateKubeProxyConfiguration(cfg)).toEqual([]);
        const second = decodeKubeProxyConfiguration(formatKubeProxyConfiguration(cfg), 'out');
        expect(second.problems).toEqual([]);
        expect(encodeKubeProxyConfiguration(applyKubeProxyDefaults(second.document))).toEqual(
          encodeKubeProxyConfiguration(cfg),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('the command line', () => {
  const flagName = fc.oneof(
    fc.constantFrom(...PROXY_FLAGS.map((f) => f.name).filter((n) => n !== 'config')),
    fc.string({ minLength: 1, maxLength: 12 }),
  );
  const flagValues = fc.array(
    fc.tuple(
      flagName,
      fc.array(fc.oneof(fc.string(), fc.constantFrom('true', '0', '-1', '1s', '10.0.0.0/8', 'a=true')), {
        minLength: 1,
        maxLength: 2,
      }),
    ),
    { maxLength: 6 },
  );

  it('resolves or fails with a ConfigError, whatever the flag values', async () => {
    await fc.assert(
      fc.asyncProperty(flagValues, async (entries) => {
        try {
          await resolveProxyConfig({ flags: new Map(entries), hostname: () => 'node' });
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('rewrites pflag spellings idempotently', () => {
    const arg = fc.oneof(
      fc.string(),
      fc.constantFrom(
        '--masquerade-all',
        '-v',
        '-v4',
        '-v=4',
        '--v',
        '--kubeconfig',
        '--',
        '--ipvs-scheduler=rr',
        '-h',
      ),
    );
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 8 }), (args) => {
        const once = normalizePflagArgs(args);
        expect(normalizePflagArgs(once)).toEqual(once);
      }),
      RUNS,
    );
  });
});
