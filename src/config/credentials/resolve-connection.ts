// Which API server kipvs talks to and as whom, decided the way kube-proxy's
// createClient decides (cmd/kube-proxy/app/server.go): with neither a
// kubeconfig nor --master, the in-cluster service account; otherwise the
// kubeconfig's current context, its server replaced by --master when given.
// On top of that, the hardening guide's rules: credential files must be safe
// (see ../file-safety.ts), the server must be https:// with verification on
// unless --allow-insecure-apiserver is given (then a warning at every start).
import { joinHostPort } from '../../net/host-port.js';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { readCheckedFile, type FileRole, type FileSafetyContext } from '../file-safety.js';
import { ConfigError, type ConfigProblem } from '../problems.js';
import type { KubeProxyConfiguration } from '../schema/kube-proxy-configuration.js';
import { ApiServerConnectionSchema, Secret, type ApiServerConnection } from './connection.js';
import { decodeKubeconfig } from './kubeconfig.js';
import type { KubeconfigCluster, KubeconfigUser } from './kubeconfig-schema.js';
import { checkCertificateAuthority, checkClientCertificate, decodeBase64, tokenSubject } from './material.js';

/** Where rest.InClusterConfig finds the pod's service account. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ConnectionInput {
  readonly clientConnection: KubeProxyConfiguration['clientConnection'];
  /** --master: replaces the kubeconfig's server. */
  readonly master?: string;
  readonly allowInsecureApiserver: boolean;
  readonly files?: FileSafetyContext;
  /** Environment for KUBERNETES_SERVICE_HOST/PORT (process.env by default). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly serviceAccountDir?: string;
  readonly now?: Date;
}

export interface ResolvedConnection {
  readonly connection: ApiServerConnection;
  readonly warnings: readonly string[];
}

type Draft = Omit<ApiServerConnection, 'identity' | 'client'>;

/** The checked connection, or a ConfigError naming every problem. */
export async function resolveApiServerConnection(input: ConnectionInput): Promise<ResolvedConnection> {
  const session = new Session(input);
  const kubeconfigPath = input.clientConnection.kubeconfig;
  const draft =
    kubeconfigPath === '' && input.master === undefined
      ? await session.inCluster()
      : kubeconfigPath === ''
        ? session.masterOnly(input.master ?? '')
        : await session.fromKubeconfig(kubeconfigPath);
  if (draft) session.checkTransport(draft);
  if (!draft || session.problems.length > 0) {
    throw new ConfigError(
      'credentials',
      session.problems,
      kubeconfigPath || (input.master ? `--master ${input.master}` : 'in-cluster service account'),
    );
  }
  const { qps, burst, contentType, acceptContentTypes } = input.clientConnection;
  const connection = ApiServerConnectionSchema.parse({
    ...draft,
    identity: session.identity,
    client: { qps, burst, contentType, acceptContentTypes },
  });
  return { connection, warnings: session.warnings };
}

class Session {
  readonly problems: ConfigProblem[] = [];
  readonly warnings: string[] = [];
  identity = 'anonymous';
  private readonly now: Date;

  constructor(private readonly input: ConnectionInput) {
    this.now = input.now ?? new Date();
  }

  private async read(path: string, role: FileRole): Promise<string | undefined> {
    const file = await readCheckedFile(path, role, this.input.files);
    this.problems.push(...file.problems);
    this.warnings.push(...file.warnings);
    return file.text;
  }

  /** rest.InClusterConfig: the service's env vars, the mounted token and CA. */
  async inCluster(): Promise<Draft | undefined> {
    const env = this.input.env ?? process.env;
    const host = env['KUBERNETES_SERVICE_HOST'] ?? '';
    const port = env['KUBERNETES_SERVICE_PORT'] ?? '';
    if (host === '' || port === '') {
      this.problems.push({
        path: 'clientConnection.kubeconfig',
        message:
          'no kubeconfig and no --master, and not in a pod (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset); set --kubeconfig or clientConnection.kubeconfig',
      });
      return undefined;
    }
    const dir = this.input.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
    const tokenFile = `${dir}/token`;
    const token = await this.read(tokenFile, 'token file');
    if (token !== undefined) this.identity = this.tokenIdentity(token, tokenFile, `service account token ${tokenFile}`);
    const caFile = `${dir}/ca.crt`;
    const tls: Draft['tls'] = { insecureSkipVerify: false };
    const ca = await readCheckedFile(caFile, 'certificate authority', this.input.files);
    if (ca.text === undefined && ca.problems.every((p) => p.message.includes('no such file'))) {
      // client-go logs this and goes on with the system's roots.
      this.warnings.push(`no ${caFile}: the API server's certificate is checked against the system's trusted roots`);
    } else {
      this.problems.push(...ca.problems);
      this.warnings.push(...ca.warnings);
      if (ca.text !== undefined) this.addCheck(checkCertificateAuthority(ca.text, caFile, this.now));
      tls.caFile = caFile;
    }
    return {
      source: 'in-cluster',
      server: `https://${joinHostPort(host, port)}`,
      tls,
      auth: { tokenFile },
      disableCompression: false,
    };
  }

  /** --master with no kubeconfig: a bare URL, no credentials. */
  masterOnly(master: string): Draft {
    this.warnings.push(
      "--master without a kubeconfig: requests are anonymous, and the server is checked against the system's trusted roots",
    );
    return {
      source: 'master-flag',
      server: master,
      tls: { insecureSkipVerify: false },
      auth: {},
      disableCompression: false,
    };
  }

  async fromKubeconfig(path: string): Promise<Draft | undefined> {
    const text = await this.read(path, 'kubeconfig');
    if (text === undefined) return undefined;
    const decoded = decodeKubeconfig(text, path);
    if (!decoded.ok) {
      this.problems.push(...decoded.problems);
      return undefined;
    }
    const config = decoded.value;
    const fail = (message: string): undefined => {
      this.problems.push({ path, message });
      return undefined;
    };
    const contextName = config['current-context'] ?? '';
    if (contextName === '') {
      if (this.input.master !== undefined) return this.masterOnly(this.input.master);
      return fail('current-context is not set');
    }
    const context = config.contexts?.find((c) => c.name === contextName)?.context;
    if (!context) return fail(`current-context "${contextName}" is not among the contexts`);
    const clusterName = context.cluster ?? '';
    const cluster = config.clusters?.find((c) => c.name === clusterName)?.cluster;
    if (!cluster)
      return fail(`context "${contextName}" names cluster "${clusterName}", which is not among the clusters`);
    const userName = context.user ?? '';
    const user = userName === '' ? {} : config.users?.find((u) => u.name === userName)?.user;
    if (!user) return fail(`context "${contextName}" names user "${userName}", which is not among the users`);

    const server = this.input.master ?? cluster.server ?? '';
    if (server === '') return fail(`cluster "${clusterName}" has no server`);
    // clientcmd resolves relative paths against the kubeconfig's directory.
    const base = dirname(resolvePath(path));
    const at = (p: string): string => (isAbsolute(p) ? p : resolvePath(base, p));
    const tls = await this.clusterTls(cluster, clusterName, at);
    const auth = await this.userAuth(user, userName, at);
    const draft: Draft = {
      source: 'kubeconfig',
      server,
      kubeconfig: { path, context: contextName, cluster: clusterName, user: userName },
      tls,
      auth,
      disableCompression: cluster['disable-compression'] ?? false,
    };
    if (cluster['proxy-url'] !== undefined) draft.proxyUrl = cluster['proxy-url'];
    return draft;
  }

  private async clusterTls(cluster: KubeconfigCluster, name: string, at: (p: string) => string): Promise<Draft['tls']> {
    const tls: Draft['tls'] = { insecureSkipVerify: cluster['insecure-skip-tls-verify'] ?? false };
    if (cluster['tls-server-name'] !== undefined) tls.serverName = cluster['tls-server-name'];
    const data = cluster['certificate-authority-data'];
    const file = cluster['certificate-authority'];
    if (data !== undefined && data !== '') {
      tls.caData = decodeBase64(data);
      this.addCheck(checkCertificateAuthority(tls.caData, `cluster "${name}" certificate-authority-data`, this.now));
      if (file)
        this.warnings.push(
          `cluster "${name}" sets both certificate-authority and certificate-authority-data; the data is used, as in client-go`,
        );
    } else if (file) {
      tls.caFile = at(file);
      const pem = await this.read(tls.caFile, 'certificate authority');
      if (pem !== undefined) this.addCheck(checkCertificateAuthority(pem, tls.caFile, this.now));
    }
    return tls;
  }

  private async userAuth(user: KubeconfigUser, name: string, at: (p: string) => string): Promise<Draft['auth']> {
    const where = `user "${name}"`;
    const refuse = (message: string): void => {
      this.problems.push({ path: where, message });
    };
    if (user.username !== undefined || user.password !== undefined)
      refuse('basic authentication (username/password) is not supported; Kubernetes removed it in 1.19');
    if (user.exec !== undefined)
      refuse('exec credential plugins are not supported by kipvs; use tokenFile or a client certificate');
    if (user['auth-provider'] !== undefined)
      refuse('auth-provider plugins are not supported by kipvs; use tokenFile or a client certificate');
    if (
      user.as !== undefined ||
      user['as-uid'] !== undefined ||
      user['as-groups'] !== undefined ||
      user['as-user-extra'] !== undefined
    ) {
      refuse('impersonation (as, as-uid, as-groups, as-user-extra) is not supported by kipvs');
    }
    if (user.token !== undefined && user.tokenFile !== undefined) refuse('sets both token and tokenFile; keep one');

    const auth: Draft['auth'] = {};
    const identities: string[] = [];
    if (user.tokenFile !== undefined) {
      auth.tokenFile = at(user.tokenFile);
      const token = await this.read(auth.tokenFile, 'token file');
      if (token !== undefined)
        identities.push(this.tokenIdentity(token, auth.tokenFile, `bearer token file ${auth.tokenFile}`));
    } else if (user.token !== undefined) {
      auth.token = new Secret(user.token);
      if (user.token.trim() === '') refuse('token is empty');
      identities.push(
        tokenSubject(user.token)
          ? `service account ${tokenSubject(user.token)} (token in the kubeconfig)`
          : 'bearer token in the kubeconfig',
      );
    }

    const certData = user['client-certificate-data'];
    const certFile = user['client-certificate'];
    const keyData = user['client-key-data'];
    const keyFile = user['client-key'];
    const hasCert = Boolean(certData || certFile);
    const hasKey = Boolean(keyData || keyFile);
    if (hasCert !== hasKey)
      refuse(
        hasCert
          ? 'client-certificate needs client-key or client-key-data'
          : 'client-key needs client-certificate or client-certificate-data',
      );
    if (certData && certFile) refuse('sets both client-certificate and client-certificate-data; keep one');
    if (keyData && keyFile) refuse('sets both client-key and client-key-data; keep one');
    if (hasCert && hasKey) {
      let certPem: string | undefined;
      let keyPem: string | undefined;
      if (certData) certPem = auth.clientCertificateData = decodeBase64(certData);
      else if (certFile) {
        auth.clientCertificateFile = at(certFile);
        certPem = await this.read(auth.clientCertificateFile, 'client certificate');
      }
      if (keyData) {
        keyPem = decodeBase64(keyData);
        auth.clientKeyData = new Secret(keyPem);
      } else if (keyFile) {
        auth.clientKeyFile = at(keyFile);
        keyPem = await this.read(auth.clientKeyFile, 'client key');
      }
      if (certPem !== undefined && keyPem !== undefined) {
        const check = checkClientCertificate(
          certPem,
          auth.clientCertificateFile ?? `${where} client-certificate-data`,
          keyPem,
          auth.clientKeyFile ?? `${where} client-key-data`,
          this.now,
        );
        this.addCheck(check);
        if (check.subject) identities.push(`client certificate "${check.subject}"`);
      }
    }
    this.identity = identities.length === 0 ? `${where}: anonymous` : `${where}: ${identities.join(' + ')}`;
    return auth;
  }

  /** https:// only, and verified, unless the operator explicitly allows otherwise. */
  checkTransport(draft: Draft): void {
    let url: URL | undefined;
    try {
      url = new URL(draft.server);
    } catch {
      this.problems.push({
        path: 'server',
        message: `${JSON.stringify(draft.server)} is not a URL; write it as https://HOST:PORT`,
      });
      return;
    }
    const allow = this.input.allowInsecureApiserver;
    if (url.protocol === 'http:') {
      if (allow)
        this.warnings.push(
          `INSECURE: the API server ${draft.server} is reached over plain HTTP (--allow-insecure-apiserver)`,
        );
      else
        this.problems.push({
          path: 'server',
          message: `${draft.server} is not https://; refusing plain HTTP (pass --allow-insecure-apiserver to accept it)`,
        });
    } else if (url.protocol !== 'https:') {
      this.problems.push({ path: 'server', message: `${JSON.stringify(draft.server)} must start with https://` });
    }
    if (draft.tls.insecureSkipVerify) {
      if (draft.tls.caFile !== undefined || draft.tls.caData !== undefined) {
        this.problems.push({
          path: 'insecure-skip-tls-verify',
          message: 'cannot be combined with a certificate authority (client-go refuses it too)',
        });
      } else if (allow) {
        this.warnings.push(
          `INSECURE: the API server certificate of ${draft.server} is not verified (insecure-skip-tls-verify, --allow-insecure-apiserver)`,
        );
      } else {
        this.problems.push({
          path: 'insecure-skip-tls-verify',
          message: 'true disables server certificate checks; refusing (pass --allow-insecure-apiserver to accept it)',
        });
      }
    }
  }

  private tokenIdentity(token: string, file: string, fallback: string): string {
    if (token.trim() === '') {
      this.problems.push({ path: file, message: 'token file is empty' });
      return fallback;
    }
    const subject = tokenSubject(token);
    return subject ? `${subject} (token file ${file})` : fallback;
  }

  private addCheck(check: { problems: ConfigProblem[]; warnings: string[] }): void {
    this.problems.push(...check.problems);
    this.warnings.push(...check.warnings);
  }
}
