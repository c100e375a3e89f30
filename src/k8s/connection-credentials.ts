// The TLS material and bearer token of an ApiServerConnection, handed to
// client-node at every request through its one hook for it, an Authenticator
// (called with the request's https options just before each list and each
// watch). Doing it here rather than in the KubeConfig's fields:
// - verification is pinned: client-node sets rejectUnauthorized only to
//   false, and leaves "true" to the NODE_TLS_REJECT_UNAUTHORIZED environment
//   variable; here it is always set, false only when the connection says so;
// - files are re-read when they change (size, mtime or inode, which a
//   Kubernetes projected volume's symlink swap changes), so a rotated bound
//   service-account token or client certificate is used without a restart, as
//   client-go's token file source and certificate rotation do; client-node's
//   own token file support re-reads only every 60 s and keeps the newline;
// - Secrets are revealed only into the request's header and key options.
import { readFile, stat } from 'node:fs/promises';
import type { RequestOptions } from 'node:https';
import type { KubeConfig, User } from '@kubernetes/client-node';
import type { ApiServerConnection } from '../config/credentials/connection.js';

/** client-node's Authenticator interface, which its index does not export. */
export type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];

/** The user name the KubeConfig gives kipvs, so that this authenticator (and no built-in one) serves it. */
export const KIPVS_USER = 'kipvs';

export class CredentialFileError extends Error {
  override readonly name = 'CredentialFileError';
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super(`cannot read ${path}${code === undefined ? '' : ` (${code})`}`, options);
  }
}

/** A file's text, read again only when the file changed since the last read. */
class ReloadingFile {
  #stamp = '';
  #text = '';

  constructor(readonly path: string) {}

  async text(): Promise<string> {
    try {
      const info = await stat(this.path);
      const stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
      if (stamp !== this.#stamp) {
        this.#text = await readFile(this.path, 'utf8');
        this.#stamp = stamp;
      }
      return this.#text;
    } catch (err) {
      const code: unknown = (err as { code?: unknown }).code;
      throw new CredentialFileError(this.path, typeof code === 'string' ? code : undefined, { cause: err });
    }
  }
}

type Source = { readonly file: ReloadingFile } | { readonly value: () => string };

function source(file: string | undefined, value: (() => string) | undefined): Source | undefined {
  if (file !== undefined) return { file: new ReloadingFile(file) };
  return value === undefined ? undefined : { value };
}

async function textOf(s: Source): Promise<string> {
  return 'file' in s ? s.file.text() : s.value();
}

export class ConnectionCredentials implements Authenticator {
  readonly #verify: boolean;
  readonly #serverName: string | undefined;
  readonly #ca: Source | undefined;
  readonly #token: Source | undefined;
  readonly #certificate: Source | undefined;
  readonly #key: Source | undefined;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(connection: ApiServerConnection, userAgent: string) {
    const { tls, auth } = connection;
    this.#verify = !tls.insecureSkipVerify;
    this.#serverName = tls.serverName;
    const caData = tls.caData;
    this.#ca = source(tls.caFile, caData === undefined ? undefined : () => caData);
    const token = auth.token;
    this.#token = source(auth.tokenFile, token === undefined ? undefined : () => token.reveal());
    const certData = auth.clientCertificateData;
    this.#certificate = source(auth.clientCertificateFile, certData === undefined ? undefined : () => certData);
    const keyData = auth.clientKeyData;
    this.#key = source(auth.clientKeyFile, keyData === undefined ? undefined : () => keyData.reveal());
    // kipvs decodes JSON only (protobuf, clientConnection.contentType's default, is not
    // implemented); disableCompression asks the server for an uncompressed body.
    this.#headers = {
      Accept: 'application/json',
      'User-Agent': userAgent,
      ...(connection.disableCompression ? { 'Accept-Encoding': 'identity' } : {}),
    };
  }

  isAuthProvider(user: User): boolean {
    return user.name === KIPVS_USER;
  }

  async applyAuthentication(_user: User, opts: RequestOptions): Promise<void> {
    opts.rejectUnauthorized = this.#verify;
    if (this.#serverName !== undefined) opts.servername = this.#serverName;
    if (this.#ca) opts.ca = await textOf(this.#ca);
    if (this.#certificate && this.#key) {
      opts.cert = await textOf(this.#certificate);
      opts.key = await textOf(this.#key);
    }
    const headers: Record<string, string> = { ...this.#headers };
    if (this.#token) {
      // client-go trims the token file's content (a trailing newline is common).
      headers['Authorization'] = `Bearer ${(await textOf(this.#token)).trim()}`;
    }
    opts.headers = { ...opts.headers, ...headers };
  }
}
