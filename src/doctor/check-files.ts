// The files kipvs trusts: the configuration file, the kubeconfig and the
// credentials it names. Who may write them and who owns them is
// src/config/file-safety.ts's verdict (kipvs proxy refuses the same files);
// doctor adds who may read them, following the hardening guide's table
// (config 644, kubeconfig 600 or 644, root:root) and, for the credentials
// themselves, "readable only by their owner" (the chart projects the token 0400).
import type { FileRole } from '../config/index.js';
import type { FileFacts } from './facts.js';
import { fail, pass, warn, type Finding } from './finding.js';

/** How much it matters who besides the owner can read a file. */
export type Readership =
  /** No secret in it: the configuration file, certificates. */
  | 'anyone'
  /** A kubeconfig that only names credential files: 0600 recommended, 0644 tolerated by the guide. */
  | 'owner-preferred'
  /** A credential: a token, a client key, or a kubeconfig that embeds one. */
  | 'owner-only';

const CHECK_NAMES: Record<FileRole, string> = {
  'configuration file': 'config-file',
  kubeconfig: 'kubeconfig-file',
  'token file': 'token-file',
  'client key': 'client-key-file',
  'client certificate': 'client-certificate-file',
  'certificate authority': 'certificate-authority-file',
};

const S_IRGRP = 0o040;
const S_IROTH = 0o004;

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');
const owner = (uid: number): string => (uid === 0 ? 'root' : `uid ${uid}`);

export function checkFile(file: FileFacts, readership: Readership): Finding {
  const check = CHECK_NAMES[file.role];
  const subject = `${file.role} ${file.path}`;
  const recommended = readership === 'anyone' ? '0644' : '0600';
  if (file.problems.length > 0 || !file.stat) {
    const message = `${subject}: ${file.problems.map((p) => p.message).join('; ')}`;
    const fix = file.stat
      ? `chown root:root ${file.path} && chmod ${recommended} ${file.path}`
      : `create ${file.path} (mode ${recommended}, owner root), or correct the flag or field that names it`;
    return fail(check, message, fix);
  }
  const { mode, uid } = file.stat;
  const found = `mode ${octal(mode)}, owner ${owner(uid)}`;
  const readers = mode & (S_IRGRP | S_IROTH);
  if (readership === 'anyone' || readers === 0) return pass(check, `${subject}: ${found}`);
  const who =
    readers === (S_IRGRP | S_IROTH) ? 'its group and all users' : readers & S_IROTH ? 'all users' : 'its group';
  const message = `${subject}: ${found}; readable by ${who}`;
  const fix = `chmod 0600 ${file.path}`;
  return readership === 'owner-only'
    ? fail(check, `${message}, and it holds a credential`, fix)
    : warn(check, `${message}; the hardening guide recommends 0600`, fix);
}
