// Real files with real modes and owners in a private temporary directory.
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly dir: string;
  /** Write `name` with `mode` (and owner uid, if given); returns its path. */
  file(name: string, text: string, mode?: number, uid?: number): string;
  remove(): void;
}

export function tempDir(): TempDir {
  const dir = mkdtempSync(join(tmpdir(), 'kipvs-config-'));
  return {
    dir,
    file(name, text, mode = 0o600, uid) {
      const path = join(dir, name);
      writeFileSync(path, text);
      chmodSync(path, mode); // not subject to the umask, unlike writeFile's mode
      if (uid !== undefined) chownSync(path, uid, uid);
      return path;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
