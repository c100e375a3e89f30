// The socket's reply timeout, against a kernel that really does not answer.
import { describe, expect, test } from '@jest/globals';
import { runUnprivileged } from '../uml/netns.js';

describe('a request the kernel never answers', () => {
  test('fails with ETIMEDOUT after replyTimeoutMs, and the process exits', async () => {
    const started = Date.now();
    const { stdout } = await runUnprivileged('build/test/kernel/netlink-timeout-child.js');
    // The first request's EPERM arrives; the second (carrying the ACK flag) is never answered.
    expect(stdout).toBe('EPERM\nETIMEDOUT\n');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
