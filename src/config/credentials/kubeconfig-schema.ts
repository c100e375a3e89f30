// A kubeconfig file (client-go clientcmd/api/v1 Config), decoded into a typed
// structure without loading @kubernetes/client-node. Every field client-go
// knows is accepted; fields it does not know are refused by name, because a
// mis-indented tokenFile or certificate-authority silently dropped would
// change which credentials or trust kipvs uses. Secret-bearing fields are
// never echoed in messages.
import { z } from 'zod';

/** []byte fields are base64 in JSON/YAML, as client-go reads them. */
const base64Data = z
  .string()
  .refine((s) => /^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(s), { error: 'must be base64-encoded data' });

/** Opaque to kipvs: kept so that files carrying them load. */
const extensions = z.array(z.strictObject({ name: z.string(), extension: z.unknown() }));

export const KubeconfigClusterSchema = z.strictObject({
  server: z.string().optional(),
  'tls-server-name': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'certificate-authority': z.string().optional(),
  'certificate-authority-data': base64Data.optional(),
  'proxy-url': z.string().optional(),
  'disable-compression': z.boolean().optional(),
  extensions: extensions.optional(),
});

export const KubeconfigUserSchema = z.strictObject({
  'client-certificate': z.string().optional(),
  'client-certificate-data': base64Data.optional(),
  'client-key': z.string().optional(),
  'client-key-data': base64Data.optional(),
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  as: z.string().optional(),
  'as-uid': z.string().optional(),
  'as-groups': z.array(z.string()).optional(),
  'as-user-extra': z.record(z.string(), z.array(z.string())).optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  'auth-provider': z.record(z.string(), z.unknown()).optional(),
  exec: z.record(z.string(), z.unknown()).optional(),
  extensions: extensions.optional(),
});

export const KubeconfigContextSchema = z.strictObject({
  cluster: z.string().optional(),
  user: z.string().optional(),
  namespace: z.string().optional(),
  extensions: extensions.optional(),
});

export const KubeconfigSchema = z.strictObject({
  apiVersion: z.literal('v1', { error: 'must be "v1"' }).optional(),
  kind: z.literal('Config', { error: 'must be "Config"' }).optional(),
  preferences: z.strictObject({ colors: z.boolean().optional(), extensions: extensions.optional() }).optional(),
  clusters: z.array(z.strictObject({ name: z.string(), cluster: KubeconfigClusterSchema })).optional(),
  users: z.array(z.strictObject({ name: z.string(), user: KubeconfigUserSchema })).optional(),
  contexts: z.array(z.strictObject({ name: z.string(), context: KubeconfigContextSchema })).optional(),
  'current-context': z.string().optional(),
  extensions: extensions.optional(),
});

export type Kubeconfig = z.output<typeof KubeconfigSchema>;
export type KubeconfigCluster = z.output<typeof KubeconfigClusterSchema>;
export type KubeconfigUser = z.output<typeof KubeconfigUserSchema>;

/** Fields whose values are credentials: never shown in a message. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['token', 'password', 'client-key-data']);
