// Run by kernel-host.test.ts as an unprivileged user: what KernelClients says to someone
// without CAP_NET_ADMIN. Prints one line: error class, kind, message.
import { KernelAccessError, KernelClients } from '../../src/kernel/index.js';

try {
  (await KernelClients.open()).close();
  process.stdout.write('succeeded\n');
} catch (err) {
  process.stdout.write(
    err instanceof KernelAccessError ? `${err.name} ${err.kind}: ${err.userMessage}\n` : `${String(err)}\n`,
  );
}
