// Reading and checking credential material before use, so that kipvs refuses
// at start-up what client-go would only trip over at the first request: a CA
// bundle that is not PEM, a client certificate that has expired or does not
// match its key, an empty token. Only public facts (certificate subjects,
// token subjects) ever reach a message.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { ConfigProblem } from '../problems.js';

export interface MaterialCheck {
  readonly problems: ConfigProblem[];
  readonly warnings: string[];
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM bundle, or a problem. */
export function parseCertificates(
  pem: string,
  path: string,
  role: string,
): { certificates: X509Certificate[]; problems: ConfigProblem[] } {
  const blocks = pem.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0)
    return { certificates: [], problems: [{ path, message: `${role} holds no PEM certificate` }] };
  const certificates: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      return { certificates: [], problems: [{ path, message: `${role} holds a certificate that cannot be parsed` }] };
    }
  }
  return { certificates, problems: [] };
}

export function checkCertificateAuthority(pem: string, path: string, now: Date): MaterialCheck {
  const { certificates, problems } = parseCertificates(pem, path, 'certificate authority');
  const warnings = certificates
    .filter((c) => new Date(c.validTo) < now)
    .map(
      (c) =>
        `certificate authority ${path}: certificate ${subjectOf(c)} expired on ${new Date(c.validTo).toISOString()}`,
    );
  return { problems, warnings };
}

/** A client certificate and its key: both parse, the pair matches, the certificate is current. */
export function checkClientCertificate(
  certPem: string,
  certPath: string,
  keyPem: string,
  keyPath: string,
  now: Date,
): MaterialCheck & { subject?: string } {
  const { certificates, problems } = parseCertificates(certPem, certPath, 'client certificate');
  const leaf = certificates[0];
  if (!leaf) return { problems, warnings: [] };
  const warnings: string[] = [];
  if (new Date(leaf.validTo) < now) {
    problems.push({
      path: certPath,
      message: `client certificate ${subjectOf(leaf)} expired on ${new Date(leaf.validTo).toISOString()}`,
    });
  } else if (new Date(leaf.validFrom) > now) {
    warnings.push(`client certificate ${certPath} is not valid before ${new Date(leaf.validFrom).toISOString()}`);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    problems.push({ path: keyPath, message: 'client key is not a readable PEM private key' });
    return { problems, warnings, subject: subjectOf(leaf) };
  }
  if (!leaf.checkPrivateKey(key)) {
    problems.push({
      path: keyPath,
      message: `client key does not belong to the client certificate ${subjectOf(leaf)}`,
    });
  }
  return { problems, warnings, subject: subjectOf(leaf) };
}

/** "CN=system:kube-proxy, O=system:node-proxier". */
export function subjectOf(cert: X509Certificate): string {
  return cert.subject.split('\n').filter(Boolean).join(', ');
}

/**
 * The subject of a service-account JWT ("system:serviceaccount:kube-system:
 * kube-proxy"), read from its unsigned payload; undefined when the token is
 * not a JWT. The payload carries no secret, the signature does.
 */
export function tokenSubject(token: string): string | undefined {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (payload && typeof payload === 'object' && 'sub' in payload && typeof payload.sub === 'string')
      return payload.sub;
  } catch {
    return undefined;
  }
  return undefined;
}

/** Go decodes []byte fields with standard base64. */
export function decodeBase64(data: string): string {
  return Buffer.from(data.replace(/\s+/g, ''), 'base64').toString('utf8');
}
