// What the Kubernetes client layer needs to reach the API server, checked and
// typed: the server URL, how to trust it, how to authenticate, and one line
// that names the server and identity for the logs. Secrets travel inside a
// Secret, whose every printable form is "[redacted]", so that logging this
// object (or a config dump) cannot leak a token or key.
import { inspect } from 'node:util';
import { z } from 'zod';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The secret itself; call only where it is handed to a TLS or HTTP API. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}

const secret = z.custom<Secret>((v) => v instanceof Secret, { error: 'expected a Secret' });

export const ApiServerConnectionSchema = z.strictObject({
  /** Where the settings came from. */
  source: z.enum(['kubeconfig', 'in-cluster', 'master-flag']),
  server: z.url({ protocol: /^https?$/ }),
  kubeconfig: z
    .strictObject({ path: z.string(), context: z.string(), cluster: z.string(), user: z.string() })
    .optional(),
  tls: z.strictObject({
    /** PEM CA bundle file; absent (with caData absent) means the system's trusted roots. */
    caFile: z.string().optional(),
    caData: z.string().optional(),
    serverName: z.string().optional(),
    insecureSkipVerify: z.boolean(),
  }),
  auth: z.strictObject({
    /** Re-read by the client when it rotates, as client-go does. */
    tokenFile: z.string().optional(),
    token: secret.optional(),
    clientCertificateFile: z.string().optional(),
    clientCertificateData: z.string().optional(),
    clientKeyFile: z.string().optional(),
    clientKeyData: secret.optional(),
  }),
  proxyUrl: z.string().optional(),
  disableCompression: z.boolean(),
  /** Who kipvs will be to the API server, for the logs; never a secret. */
  identity: z.string(),
  /** clientConnection settings of the KubeProxyConfiguration. */
  client: z.strictObject({
    qps: z.number(),
    burst: z.number().int(),
    contentType: z.string(),
    acceptContentTypes: z.string(),
  }),
});

export type ApiServerConnection = z.output<typeof ApiServerConnectionSchema>;

/** One log line: server, identity and origin, nothing secret. */
export function describeConnection(c: ApiServerConnection): string {
  const origin =
    c.source === 'kubeconfig' && c.kubeconfig
      ? `kubeconfig ${c.kubeconfig.path}, context "${c.kubeconfig.context}"`
      : c.source === 'in-cluster'
        ? 'in-cluster service account'
        : '--master';
  const trust = c.tls.insecureSkipVerify
    ? 'TLS NOT VERIFIED'
    : c.tls.caFile
      ? `CA ${c.tls.caFile}`
      : c.tls.caData
        ? 'CA from kubeconfig data'
        : 'system CAs';
  return `API server ${c.server} as ${c.identity} (${origin}; ${trust})`;
}
