// The socket's request, batch and dump logic, against this machine's real
// kernel: the generic netlink controller (nlctrl) exists in every Linux, so no
// fake kernel is needed. GETFAMILY of a registered name answers with one
// message; of an unknown name, ENOENT.
import { describe, expect, test } from '@jest/globals';
import {
  CTRL_ATTR_FAMILY_NAME,
  CTRL_CMD_GETFAMILY,
  FamilyNotFoundError,
  GENL_ID_CTRL,
  NETLINK_GENERIC,
  NetlinkError,
  NetlinkSocket,
  NetlinkSocketError,
  attributeSet,
  cstring,
  decodeGeneric,
  field,
  genericRequest,
  resolveFamily,
  type NetlinkMessage,
  type Request,
} from '../../../src/netlink/index.js';

const controller = attributeSet('CTRL', { name: field(CTRL_ATTR_FAMILY_NAME, cstring) });

function getFamily(name?: string): Request {
  return genericRequest({
    familyId: GENL_ID_CTRL,
    familyName: 'nlctrl',
    command: CTRL_CMD_GETFAMILY,
    commandName: 'GETFAMILY',
    version: 1,
    attributes: controller,
    values: name === undefined ? {} : { name },
  });
}

async function withSocket<T>(fn: (socket: NetlinkSocket) => Promise<T>, options = {}): Promise<T> {
  const socket = NetlinkSocket.open(NETLINK_GENERIC, options);
  try {
    return await fn(socket);
  } finally {
    socket.close();
  }
}

describe('NetlinkSocket against the kernel controller', () => {
  test('a request resolves with its reply; an unknown family rejects with ENOENT', async () => {
    await withSocket(async (socket) => {
      const [reply, ...rest] = await socket.request(getFamily('nlctrl'));
      expect(rest).toEqual([]);
      expect(decodeGeneric(reply as NetlinkMessage, controller).name).toBe('nlctrl');
      await expect(socket.request(getFamily('kipvs-nope'))).rejects.toMatchObject({
        name: 'NetlinkError',
        code: 'ENOENT',
        errno: 2,
      });
    });
  });

  test('a batch packs many requests per sendmsg, asks for one ACK per datagram, and returns each result', async () => {
    // Every request is 32 bytes (names of 6 characters), so 10 fit a 320-byte datagram.
    const perDatagram = 10;
    const count = 200;
    const fails = (i: number) => i % 3 === 0;
    const requests = Array.from({ length: count }, (_, i) => getFamily(fails(i) ? 'nope00' : 'nlctrl'));
    await withSocket(
      async (socket) => {
        const outcomes = await socket.batch(requests);
        expect(outcomes.map((o) => o.ok)).toEqual(requests.map((_, i) => !fails(i)));
        for (const outcome of outcomes) {
          if (outcome.ok) expect(outcome.replies).toHaveLength(1);
          else expect(outcome.error).toBeInstanceOf(NetlinkError);
        }
        const datagrams = count / perDatagram;
        expect(socket.counters.sendCalls).toBe(datagrams);
        expect(socket.counters.messagesSent).toBe(count);
        // One reply or error per request, plus an ACK only where a datagram's last request succeeded:
        // with an ACK asked on every request there would be one per success.
        const lastOfEach = Array.from({ length: datagrams }, (_, d) => d * perDatagram + perDatagram - 1);
        expect(socket.counters.messagesReceived).toBe(count + lastOfEach.filter((i) => !fails(i)).length);
      },
      { maxDatagramBytes: 320 },
    );
  });

  test('batches and requests running at once each get their own outcomes', async () => {
    await withSocket(
      async (socket) => {
        const names = (n: number, fails: (i: number) => boolean) =>
          Array.from({ length: n }, (_, i) => getFamily(fails(i) ? 'nope00' : 'nlctrl'));
        const first = names(50, (i) => i % 7 === 3);
        const second = names(40, (i) => i % 5 === 0);
        const [a, b, single, failing] = await Promise.all([
          socket.batch(first),
          socket.batch(second),
          socket.request(getFamily('nlctrl')),
          socket.request(getFamily('nope00')).catch((err: unknown) => err),
        ]);
        expect(a.map((o) => o.ok)).toEqual(first.map((_, i) => i % 7 !== 3));
        expect(b.map((o) => o.ok)).toEqual(second.map((_, i) => i % 5 !== 0));
        for (const outcome of [...a, ...b]) if (outcome.ok) expect(outcome.replies).toHaveLength(1);
        expect(single).toHaveLength(1);
        expect(failing).toMatchObject({ name: 'NetlinkError', code: 'ENOENT' });
      },
      { maxDatagramBytes: 320 },
    );
  });

  test('concurrent dumps run one at a time and all complete (no EBUSY)', async () => {
    await withSocket(async (socket) => {
      const dumps = await Promise.all(Array.from({ length: 10 }, () => socket.dump(getFamily())));
      const names = dumps.map((replies) => replies.map((m) => decodeGeneric(m, controller).name).sort());
      expect(names[0]).toContain('nlctrl');
      for (const other of names) expect(other).toEqual(names[0]);
      expect(socket.counters.sendCalls).toBe(10);
    });
  });

  test('a dump and requests interleave on one socket', async () => {
    await withSocket(async (socket) => {
      const [dump, reply] = await Promise.all([socket.dump(getFamily()), socket.request(getFamily('nlctrl'))]);
      expect(dump.length).toBeGreaterThan(1);
      expect(reply).toHaveLength(1);
    });
  });

  test('dumpEach runs many dumps in the addon and gives each its replies, as dump() does, and each failure its error', async () => {
    await withSocket(async (socket) => {
      const expected = (await socket.dump(getFamily())).map((m) => decodeGeneric(m, controller).name);
      const unknownFamily: Request = { ...getFamily(), type: 0x7fff };
      const requests = [...Array.from({ length: 300 }, () => getFamily()), unknownFamily, getFamily()];
      const names: string[][] = requests.map(() => []);
      const sendsBefore = socket.counters.sendCalls;
      const statuses = await socket.dumpEach(requests, (index, source, start, end) => {
        const payload = Buffer.from(source.subarray(start, end)); // the range is only valid during the call
        names[index]?.push(
          decodeGeneric({ type: GENL_ID_CTRL, flags: 0, seq: 0, portId: 0, payload }, controller).name as string,
        );
      });
      expect(statuses.slice(0, 300).every((status) => status === 'complete')).toBe(true);
      expect(statuses[300]).toMatchObject({ name: 'NetlinkError', code: 'ENOENT' });
      expect(statuses[301]).toBe('complete');
      expect(names.filter((list, i) => i !== 300 && JSON.stringify(list) !== JSON.stringify(expected))).toEqual([]);
      expect(names[300]).toEqual([]);
      // One sendmsg per dump (a socket runs one dump at a time), none per reply.
      expect(socket.counters.sendCalls - sendsBefore).toBe(requests.length);
      // The socket still answers ordinary requests afterwards.
      expect(await socket.request(getFamily('nlctrl'))).toHaveLength(1);
    });
  });

  test('dumpEach on a closed socket fails with EBADF', async () => {
    const socket = NetlinkSocket.open(NETLINK_GENERIC);
    socket.close();
    await expect(socket.dumpEach([getFamily()], () => undefined)).rejects.toMatchObject({
      name: 'NetlinkSocketError',
      code: 'EBADF',
    });
  });

  test('resolveFamily asks the kernel once per socket', async () => {
    await withSocket(async (socket) => {
      const first = await resolveFamily(socket, 'nlctrl');
      const second = await resolveFamily(socket, 'nlctrl');
      expect(first).toEqual(second);
      expect(first.id).toBe(GENL_ID_CTRL);
      expect(socket.counters.sendCalls).toBe(1);
      await expect(resolveFamily(socket, 'kipvs-nope')).rejects.toBeInstanceOf(FamilyNotFoundError);
    });
  });

  test('a closed socket says so, and closing twice is an error, not a crash', async () => {
    const socket = NetlinkSocket.open(NETLINK_GENERIC);
    socket.close();
    await expect(socket.request(getFamily('nlctrl'))).rejects.toMatchObject({ code: 'EBADF' });
    expect(() => socket.close()).toThrow(NetlinkSocketError);
  });
});
