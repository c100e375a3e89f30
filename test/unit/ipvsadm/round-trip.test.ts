// The save format and the rules parser agree: what formatSave prints for a table reads back as
// the operations that rebuild that table, and every operation --dry-run prints reads back as itself.
import { expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { IpvsOperation, LiveService } from '../../../src/ipvs/types.js';
import { inIpvsadmOrder } from '../../../src/ipvsadm/ipvsadm-order.js';
import { formatOperation } from '../../../src/ipvsadm/operation-format.js';
import { parseRules } from '../../../src/ipvsadm/rules-parser.js';
import { formatSave } from '../../../src/ipvsadm/save-format.js';
import { operation, table } from './arbitraries.js';

/** What rebuilds `services`: each service as added (HASHED is the kernel's own flag), then its real servers. */
function rebuild(services: readonly LiveService[]): IpvsOperation[] {
  return inIpvsadmOrder(services).flatMap(({ service: { stats: _stats, ...service }, realServers }) => [
    { op: 'add-service' as const, service: { ...service, flags: { ...service.flags, hashed: false } } },
    ...realServers.map(
      ({ activeConnections: _a, inactiveConnections: _i, persistentConnections: _p, stats: _s, ...realServer }) => ({
        op: 'add-real-server' as const,
        service: service.key,
        realServer,
      }),
    ),
  ]);
}

test('a saved table reads back as the operations that rebuild it', () => {
  fc.assert(
    fc.property(table, (services) => {
      const parsed = parseRules(formatSave(services));
      expect(parsed.ok ? parsed.operations.map((o) => o.operation) : parsed.problems).toEqual(rebuild(services));
    }),
    { numRuns: 500 },
  );
});

test('an operation printed as a rule reads back as itself', () => {
  fc.assert(
    fc.property(operation, (op) => {
      const line = formatOperation(op);
      expect(parseRules(line)).toEqual({ ok: true, operations: [{ line: 1, operation: op }] });
    }),
    { numRuns: 2000 },
  );
});
