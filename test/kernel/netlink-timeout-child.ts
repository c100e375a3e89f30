// Run by netlink-timeout.test.ts as an unprivileged user. nfnetlink answers
// such a user only for the first message of a datagram (EPERM), so a batch of
// two never gets its final ACK: the socket must give up, not hang. Prints the
// outcome of each request, one line each.
import { NETLINK_NETFILTER, NetlinkSocket } from '../../src/netlink/index.js';
import { protocolRequest } from '../../src/ipset/messages.js';

const socket = NetlinkSocket.open(NETLINK_NETFILTER, { replyTimeoutMs: 500 });
const outcomes = await socket.batch([protocolRequest(), protocolRequest()]);
for (const outcome of outcomes)
  process.stdout.write(outcome.ok ? 'ok\n' : `${'code' in outcome.error ? outcome.error.code : outcome.error.name}\n`);
socket.close();
