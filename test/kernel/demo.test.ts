// The README's first command runs examples/demo.sh in User-Mode Linux (`make demo`): here the
// same script runs in this boot, so CI, which starts from a machine without the Debian
// packages (.ci/install-deps brings them), shows that the demo works there, and says which
// pod answered each request through the ClusterIP and the NodePort.
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';

const DEMO_TIMEOUT_MS = 300_000;

describe('the demo (examples/demo.sh)', () => {
  test(
    'runs to its end: both pods answer through the ClusterIP and the NodePort, a restart changes nothing',
    () => {
      const run = spawnSync('bash', ['examples/demo.sh'], { encoding: 'utf8', timeout: DEMO_TIMEOUT_MS });
      const output = `${run.stdout}\n${run.stderr}`;
      expect({ status: run.status, signal: run.signal }).toEqual({ status: 0, signal: null });
      const answers = (after: string, before: string): string =>
        run.stdout.slice(run.stdout.indexOf(after), run.stdout.indexOf(before, run.stdout.indexOf(after)));
      for (const [address, next] of [
        ['$ curl http://10.96.0.80/   (ClusterIP', '$ curl http://192.168.50.1'],
        ['$ curl http://192.168.50.1:30080/', '$ ./bin/kipvs dump -Lnc'],
      ] as const) {
        const asked = answers(address, next);
        expect([address, asked.includes('hello from pod web-a'), asked.includes('hello from pod web-b')]).toEqual([
          address,
          true,
          true,
        ]);
      }
      expect(run.stdout).toContain('hello from pod web-c');
      expect(run.stdout).toContain('unchanged: no kernel change after the restart');
      expect(output).not.toMatch(/not healthy|no sync/);
    },
    DEMO_TIMEOUT_MS + 10_000,
  );
});
