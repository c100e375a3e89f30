// Run by ipvs-errors.test.ts as an unprivileged user: what our client says to
// someone without CAP_NET_ADMIN. Prints one line per attempt: error class, message.
import { IpvsClient } from '../../src/ipvs/index.js';

const client = await IpvsClient.open();
for (const attempt of [() => client.listServices(), () => client.flush()]) {
  try {
    await attempt();
    process.stdout.write('succeeded\n');
  } catch (err) {
    process.stdout.write(err instanceof Error ? `${err.name}: ${err.message}\n` : `${String(err)}\n`);
  }
}
client.close();
