// The API server connection kipvs proxy would use, resolved by
// src/config/credentials exactly as at start-up (with insecure settings let
// through, so that doctor can name them instead of stopping at them): the
// hardening guide's "https server, certificate authority set, no
// insecure-skip-tls-verify", and the credential files readable by their owner only.
import { describeConnection, renderProblem, type ApiServerConnection } from '../config/index.js';
import { checkFile, type Readership } from './check-files.js';
import type { ConnectionFacts } from './facts.js';
import { fail, pass, type Finding } from './finding.js';

export function checkConnection(facts: ConnectionFacts): Finding[] {
  switch (facts.state) {
    case 'file-refused':
      return [];
    case 'refused':
      return [
        fail(
          'api-server-credentials',
          `API server credentials: ${facts.problems.map(renderProblem).join('; ')}`,
          'correct the kubeconfig and the files it names; kipvs proxy refuses them for the same reasons',
        ),
      ];
    case 'resolved':
      return [checkTls(facts.connection), ...facts.credentialFiles.map((file) => checkFile(file, 'owner-only'))];
  }
}

/** A kubeconfig that embeds a token or key is itself a credential. */
export function kubeconfigReadership(facts: ConnectionFacts | undefined): Readership {
  if (facts?.state !== 'resolved') return 'owner-preferred';
  const { auth } = facts.connection;
  return auth.token !== undefined || auth.clientKeyData !== undefined ? 'owner-only' : 'owner-preferred';
}

function checkTls(connection: ApiServerConnection): Finding {
  const { server, tls } = connection;
  const flaws: string[] = [];
  const fixes: string[] = [];
  if (!server.startsWith('https://')) {
    flaws.push('not https://: requests, token included, travel in clear text');
    fixes.push('serve and name the API server as https://HOST:PORT');
  }
  if (tls.insecureSkipVerify) {
    flaws.push('insecure-skip-tls-verify: any server certificate is accepted');
    fixes.push('remove insecure-skip-tls-verify');
  }
  if (tls.caFile === undefined && tls.caData === undefined) {
    flaws.push("no certificate authority: any certificate the system's roots trust is accepted");
    fixes.push("set certificate-authority (or certificate-authority-data) to the cluster's CA");
  }
  if (flaws.length === 0) return pass('api-server-tls', describeConnection(connection));
  const where = connection.kubeconfig ? ` in ${connection.kubeconfig.path}` : '';
  return fail(
    'api-server-tls',
    `${describeConnection(connection)}: ${flaws.join('; ')}`,
    `${fixes.join('; ')}${where}`,
  );
}
