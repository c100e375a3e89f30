// Who may change the files kipvs trusts, and who may read its secrets. The
// hardening guide kipvs follows wants the kube-proxy config at 644 and the
// kubeconfig at 600 (644 at most), both root:root. kipvs refuses a file that
// anyone but its owner can write, or that is owned by someone other than root
// or the user kipvs runs as (either could swap the API server or credentials),
// and warns when a file holding a secret is readable by every user.
import { constants, promises as fs } from 'node:fs';
import type { ConfigProblem } from './problems.js';

export type FileRole =
  | 'configuration file'
  | 'kubeconfig'
  | 'token file'
  | 'client key'
  | 'client certificate'
  | 'certificate authority';

/** Roles whose content is a credential. */
const SECRET_ROLES: ReadonlySet<FileRole> = new Set(['kubeconfig', 'token file', 'client key']);

export interface FileSafetyContext {
  /** The uid kipvs runs as; defaults to process.getuid(). */
  readonly uid?: number;
}

export interface CheckedFile {
  readonly text?: string;
  readonly problems: ConfigProblem[];
  readonly warnings: string[];
}

const mode = (m: number): string => (m & 0o7777).toString(8).padStart(4, '0');

/** Read a file after checking its owner and mode; nothing is returned from an unsafe file. */
export async function readCheckedFile(
  path: string,
  role: FileRole,
  context: FileSafetyContext = {},
): Promise<CheckedFile> {
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  let stat;
  try {
    stat = await fs.stat(path); // follows symlinks, as Kubernetes volume mounts use them
  } catch (err) {
    problems.push({ path, message: `cannot read ${role}: ${systemMessage(err)}` });
    return { problems, warnings };
  }
  if (!stat.isFile()) {
    problems.push({ path, message: `${role} is not a regular file` });
    return { problems, warnings };
  }
  const uid = context.uid ?? process.getuid?.() ?? 0;
  if (stat.uid !== 0 && stat.uid !== uid) {
    problems.push({
      path,
      message: `${role} is owned by uid ${stat.uid}, not by root or by the user kipvs runs as (uid ${uid}); chown it`,
    });
  }
  const writable = stat.mode & (constants.S_IWGRP | constants.S_IWOTH);
  if (writable) {
    const who =
      writable === (constants.S_IWGRP | constants.S_IWOTH)
        ? 'group and others'
        : writable & constants.S_IWGRP
          ? 'its group'
          : 'others';
    problems.push({
      path,
      message: `${role} is writable by ${who} (mode ${mode(stat.mode)}); run chmod go-w on it (0600 or 0644)`,
    });
  }
  if (problems.length > 0) return { problems, warnings };
  if (SECRET_ROLES.has(role) && stat.mode & constants.S_IROTH) {
    warnings.push(`${role} ${path} is readable by all users (mode ${mode(stat.mode)}); 0600 is recommended`);
  }
  try {
    return { text: await fs.readFile(path, 'utf8'), problems, warnings };
  } catch (err) {
    problems.push({ path, message: `cannot read ${role}: ${systemMessage(err)}` });
    return { problems, warnings };
  }
}

function systemMessage(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err) {
    switch (err.code) {
      case 'ENOENT':
        return 'no such file';
      case 'EACCES':
        return 'permission denied';
      case 'EISDIR':
        return 'is a directory';
    }
  }
  return err instanceof Error ? err.message : String(err);
}
