// The one mapping from netlink failures to a kernel family's typed errors, on a family made
// up for the test: what each kind of failure becomes, and what passes through or is rethrown.
import { describe, expect, it } from '@jest/globals';
import {
  familyErrors,
  KernelOperationError,
  NetlinkDecodeError,
  NetlinkError,
  NetlinkSocketError,
} from '../../../src/netlink/index.js';

type Request = { readonly op: 'add'; readonly item: string } | { readonly op: 'list' };
class ToyError extends KernelOperationError<string, Request['op']> {}
class ToyPermissionError extends ToyError {}

const toy = familyErrors<Request, ToyError>({
  error: ToyError,
  permissionError: ToyPermissionError,
  describeTarget: (request) => (request.op === 'add' ? request.item : ''),
  reasonFor: (code) => (code === 'EEXIST' ? 'already there' : 'failed'),
});
const add: Request = { op: 'add', item: 'thing-1' };

describe('familyErrors', () => {
  it("keeps a kernel refusal's errno, its extended-ACK text and the family's reason", () => {
    const error = toy.from(new NetlinkError('EEXIST', 17, { family: 'toy', command: 'NEW' }, 'it exists'), add);
    expect(error).toBeInstanceOf(ToyError);
    expect(error).not.toBeInstanceOf(ToyPermissionError);
    expect(error).toMatchObject({
      code: 'EEXIST',
      op: 'add',
      target: 'thing-1',
      reason: 'already there',
      kernelMessage: 'it exists',
    });
    expect(error.message).toBe('add thing-1: already there (EEXIST: it exists)');
  });

  it("makes EPERM from the kernel the family's permission error", () => {
    expect(toy.from(new NetlinkError('EPERM', 1, { family: 'toy', command: 'NEW' }), add)).toBeInstanceOf(
      ToyPermissionError,
    );
  });

  it('lets the family name the code itself', () => {
    const renamed = familyErrors<Request, ToyError>({
      error: ToyError,
      permissionError: ToyPermissionError,
      describeTarget: () => '',
      reasonFor: () => 'r',
      codeOf: (err) => `TOY_${err.errno}`,
    });
    expect(renamed.from(new NetlinkError('E4097', 4097, { family: 'toy', command: 'NEW' }), add).code).toBe('TOY_4097');
  });

  it("keeps a socket failure's errno, and makes an undecodable reply EBADMSG", () => {
    expect(toy.from(new NetlinkSocketError('ENOBUFS', 'recvmmsg', 'dropped'), { op: 'list' })).toMatchObject({
      code: 'ENOBUFS',
      op: 'list',
      target: '',
      reason: 'failed',
    });
    const decode = toy.from(new NetlinkDecodeError('TOY.item', 'truncated'), add);
    expect(decode).toMatchObject({
      code: 'EBADMSG',
      reason: 'unexpected reply from the kernel: cannot decode netlink TOY.item: truncated',
    });
  });

  it("passes the family's own errors through and rethrows anything else", () => {
    const own = new ToyError('EINVAL', 'add', 'x', 'bad');
    expect(toy.from(own, add)).toBe(own);
    const bug = new TypeError('a bug');
    expect(() => toy.from(bug, add)).toThrow(bug);
  });

  it('makes a request refused before sending EINVAL, with its cause', () => {
    const cause = new RangeError('port 70000');
    expect(toy.invalid(add, 'port out of range', cause)).toMatchObject({
      code: 'EINVAL',
      op: 'add',
      target: 'thing-1',
      reason: 'port out of range',
      cause,
    });
  });
});
