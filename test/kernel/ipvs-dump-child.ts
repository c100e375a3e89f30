// Run by ipvs-dump-read.test.ts as a child process, so that the environment the native addon
// reads when a socket opens (KIPVS_NETLINK_NO_IO_URING) is the process's own:
//
//   node build/test/kernel/ipvs-dump-child.js
//
// Reads the whole table once (IpvsClient.dump, without counters) and prints it with the
// receiving calls the socket made, as one JSON line.
import { IpvsClient } from '../../src/ipvs/index.js';

const client = await IpvsClient.open();
try {
  const table = await client.dump();
  process.stdout.write(`${JSON.stringify({ table, receives: client.counters.receiveCalls })}\n`);
} finally {
  client.close();
}
