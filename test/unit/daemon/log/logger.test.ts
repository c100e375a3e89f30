import { describe, expect, it } from '@jest/globals';
import { Logger, type LoggerOptions } from '../../../../src/daemon/log/logger.js';

const TIME = Date.UTC(2024, 10, 23, 17, 40, 0, 123) + 0.456;

function capture(options: Partial<LoggerOptions> = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = new Logger({
    verbosity: 0,
    format: 'text',
    write: (line) => lines.push(line),
    now: () => TIME,
    pid: 1234,
    ...options,
  });
  return { logger, lines };
}

describe('the text format', () => {
  it("writes klog's header and structured values", () => {
    const { logger, lines } = capture();
    logger.named('proxier').info('Syncing ipvs proxier rules', { ipFamily: 'IPv4', services: 12, full: true });
    expect(lines).toEqual([
      'I1123 17:40:00.123456    1234 proxier] "Syncing ipvs proxier rules" ipFamily="IPv4" services=12 full=true\n',
    ]);
  });

  it('writes errors with E and err= first, whatever the verbosity', () => {
    const { logger, lines } = capture({ verbosity: 0 });
    logger.error(new Error('EADDRINUSE'), 'Failed to start healthcheck', {
      port: 32000,
      service: { namespace: 'default', name: 'web' },
    });
    expect(lines).toEqual([
      'E1123 17:40:00.123456    1234 kipvs] "Failed to start healthcheck" err="EADDRINUSE" port=32000 service={"namespace":"default","name":"web"}\n',
    ]);
  });

  it('writes a multi-line value as an indented block', () => {
    const { logger, lines } = capture();
    logger.info('Restoring', { rules: '*nat\nCOMMIT\n' });
    expect(lines[0]).toBe('I1123 17:40:00.123456    1234 kipvs] "Restoring" rules=<\n\t*nat\n\tCOMMIT\n >\n');
  });
});

describe('verbosity', () => {
  it.each([
    [0, [0]],
    [2, [0, 1, 2]],
    [4, [0, 1, 2, 3, 4]],
  ])('with -v %p writes the V levels %p', (verbosity, written) => {
    const { logger, lines } = capture({ verbosity, format: 'json' });
    for (const level of [0, 1, 2, 3, 4]) logger.v(level).info('line', { level });
    expect(lines.map((line) => (JSON.parse(line) as { level: number }).level)).toEqual(written);
  });

  it('tells whether a level is on, so callers can skip building values', () => {
    const { logger } = capture({ verbosity: 2 });
    expect([logger.v(2).enabled, logger.v(3).enabled]).toEqual([true, false]);
  });
});

describe('the JSON format', () => {
  it("writes component-base's JSON lines", () => {
    const { logger, lines } = capture({ format: 'json', verbosity: 2 });
    logger.named('health').v(2).info('Starting healthz HTTP server', { address: '0.0.0.0:10256' });
    logger.error(new Error('boom'), 'Healthz server failed');
    logger.error(undefined, 'Received request for closed healthcheck');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { ts: TIME, caller: 'health', msg: 'Starting healthz HTTP server', v: 2, address: '0.0.0.0:10256' },
      { ts: TIME, caller: 'kipvs', msg: 'Healthz server failed', err: 'boom' },
      { ts: TIME, caller: 'kipvs', msg: 'Received request for closed healthcheck' },
    ]);
    expect(lines.every((line) => line.endsWith('}\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
  });
});
