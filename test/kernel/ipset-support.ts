// Shared pieces of the ipset client's kernel tests. The client runs in the
// Jest process, on the namespace kernel-tests.sh gave Jest; the ipset tool,
// the independent peer, runs in that same namespace (ownNetns).
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { IpsetClient, IpsetError } from '../../src/ipset/index.js';
import type { HashOptions, HashType, IpsetSpec } from '../../src/ipset/index.js';
import { ownNetns } from '../uml/netns.js';

export const HASH = { kind: 'hash', hashSize: 1024, maxElem: 65536 } as const;
export const PORTS = { kind: 'bitmap', portFrom: 0, portTo: 65535 } as const;

/** kube-proxy's create parameters: hashsize 1024 maxelem 65536, or range 0-65535. */
export function hashSet(
  name: string,
  type: HashType,
  family: 'inet' | 'inet6' = 'inet',
  comments = false,
  options: HashOptions = HASH,
): IpsetSpec {
  return { name, type, family, options, ...(comments && { comments }) };
}

export function portSet(name: string): IpsetSpec {
  return { name, type: 'bitmap:port', options: PORTS };
}

/** Runs the ipset tool in the client's namespace. */
export async function ipset(...args: string[]): Promise<string> {
  return (await ownNetns().run('ipset', args)).stdout;
}

export async function ipsetRestore(lines: readonly string[]): Promise<void> {
  await ownNetns().run('ipset', ['restore'], { input: `${lines.join('\n')}\n` });
}

/**
 * `ipset save`, comparable across runs: the random initval dropped from each
 * create line, and every set's members sorted (a hash set lists them in hash
 * order, which depends on the initval).
 */
export async function savedSets(): Promise<string[]> {
  const lines = (await ipset('save')).split('\n').filter((line) => line !== '');
  const out: string[] = [];
  let members: string[] = [];
  for (const line of lines) {
    if (line.startsWith('create ')) {
      out.push(...members.sort());
      members = [];
      out.push(line.replace(/ initval 0x[0-9a-f]+/, ''));
    } else {
      members.push(line);
    }
  }
  return [...out, ...members.sort()];
}

/** The error an operation fails with. */
export async function failure(promise: Promise<unknown>): Promise<IpsetError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof IpsetError) return err;
    throw err;
  }
  throw new Error('expected the operation to fail');
}

/** An ipset client for the tests of one file, and no sets after each test (the files share the namespace). */
export function ipsetClientPerFile(): () => IpsetClient {
  let client: IpsetClient | undefined;
  beforeAll(async () => {
    client = await IpsetClient.open();
  });
  afterEach(async () => {
    await ipset('destroy');
  });
  afterAll(() => {
    client?.close();
  });
  return () => {
    if (!client) throw new Error('the ipset client is opened in beforeAll');
    return client;
  };
}
