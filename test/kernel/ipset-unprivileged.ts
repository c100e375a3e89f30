// Run by ipset-errors.test.ts as an unprivileged user: what our client says to
// someone without CAP_NET_ADMIN. Prints one line: error class, message.
import { IpsetClient } from '../../src/ipset/index.js';

try {
  (await IpsetClient.open()).close();
  process.stdout.write('succeeded\n');
} catch (err) {
  process.stdout.write(err instanceof Error ? `${err.name}: ${err.message}\n` : `${String(err)}\n`);
}
