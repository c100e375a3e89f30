// A client-node KubeConfig for a checked ApiServerConnection: one cluster (the
// server, the proxy, whether verification is skipped), one user that only our
// ConnectionCredentials serves (the TLS material and token, see there), one
// context. Nothing secret is copied into the KubeConfig itself.
import { KubeConfig } from '@kubernetes/client-node';
import type { ApiServerConnection } from '../config/credentials/connection.js';
import { ConnectionCredentials, KIPVS_USER } from './connection-credentials.js';

export function kubeConfigFor(connection: ApiServerConnection, userAgent: string): KubeConfig {
  const config = new KubeConfig();
  const cluster = {
    name: 'kipvs',
    // client-node strips a trailing slash the same way when it reads a kubeconfig.
    server: connection.server.replace(/\/$/, ''),
    // client-node refuses http:// unless skipTLSVerify is set; resolveApiServerConnection
    // has already refused plain HTTP unless --allow-insecure-apiserver was given.
    skipTLSVerify: connection.tls.insecureSkipVerify || connection.server.startsWith('http:'),
    ...(connection.proxyUrl === undefined ? {} : { proxyUrl: connection.proxyUrl }),
  };
  config.loadFromOptions({
    clusters: [cluster],
    users: [{ name: KIPVS_USER }],
    contexts: [{ name: 'kipvs', cluster: cluster.name, user: KIPVS_USER }],
    currentContext: 'kipvs',
  });
  config.addAuthenticator(new ConnectionCredentials(connection, userAgent));
  return config;
}
