// One request to a target, ended by an answer, an error or the timeout. The answer is a PodAnswer
// (test/e2e/backends/protocol.ts), so the outcome names the pod that served and the source
// address it saw.
import { createSocket, type Socket } from 'node:dgram';
import { request } from 'node:http';
import { isPodAnswer } from '../backends/protocol.js';
import { familyOf } from '../topology.js';
import { targetName, type Target } from './protocol.js';
import type { ProbeOutcome } from './tally.js';

/** The reason of a failure: the errno code when there is one (ECONNREFUSED, EHOSTUNREACH, ...). */
function reasonOf(err: unknown): string {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}

/** The outcome of an answer's body: 'bad-answer' when it is not a pod's. */
function answered(body: string): ProbeOutcome {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'bad-answer' };
  }
  return isPodAnswer(answer)
    ? { ok: true, backend: answer.pod, client: answer.client }
    : { ok: false, reason: 'bad-answer' };
}

/**
 * Settles once, with the first outcome; runs `cleanup` then. The timeout settles in the
 * event loop's check phase, after the I/O that is ready: when this process was not scheduled
 * for a while (UML under load) the timer and the answer become due together, and the answer
 * that had arrived in time wins.
 */
function settleOnce(
  resolve: (outcome: ProbeOutcome) => void,
  cleanup: () => void,
  timeoutMs: number,
): (outcome: ProbeOutcome) => void {
  let settled = false;
  const finish = (outcome: ProbeOutcome): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    cleanup();
    resolve(outcome);
  };
  const timer = setTimeout(() => setImmediate(() => finish({ ok: false, reason: 'timeout' })), timeoutMs);
  return finish;
}

/** GET / on a new connection (no keep-alive: every request is a new connection for IPVS to schedule). */
function probeHttp(target: Target, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const req = request({
      host: target.address,
      port: target.port,
      path: '/',
      agent: false,
      headers: { connection: 'close' },
      ...(target.source === undefined ? {} : { localAddress: target.source }),
    });
    const finish = settleOnce(resolve, () => req.destroy(), timeoutMs);
    req.on('error', (err) => finish({ ok: false, reason: reasonOf(err) }));
    req.on('response', (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        finish({ ok: false, reason: `http-${response.statusCode ?? '?'}` });
        return;
      }
      const body: Buffer[] = [];
      response.on('data', (chunk: Buffer) => body.push(chunk));
      response.on('end', () => finish(answered(Buffer.concat(body).toString('utf8'))));
      response.on('error', (err) => finish({ ok: false, reason: reasonOf(err) }));
    });
    req.end();
  });
}

/**
 * One datagram from a new socket (a new source port: a new IPVS connection, scheduled afresh),
 * the first datagram back is the answer. The socket is connected, so an ICMP port unreachable
 * comes back as ECONNREFUSED instead of a timeout.
 */
function probeUdp(target: Target, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = createSocket(familyOf(target.address) === 'ipv4' ? 'udp4' : 'udp6');
    const finish = settleOnce(resolve, () => socket.close(), timeoutMs);
    socket.on('error', (err) => finish({ ok: false, reason: reasonOf(err) }));
    socket.on('message', (message) => finish(answered(message.toString('utf8'))));
    const send = (): void =>
      socket.connect(target.port, target.address, () => {
        socket.send('?', (err) => {
          if (err) finish({ ok: false, reason: reasonOf(err) });
        });
      });
    if (target.source === undefined) send();
    else socket.bind({ address: target.source, port: 0 }, send);
  });
}

/**
 * The one socket of a udp-flow target, kept while the helper lives. Not connected, so that
 * datagrams go out at once; answers settle the requests waiting, oldest first (a request that
 * timed out leaves the queue, and an answer to it that comes late settles the next one).
 */
class UdpFlow {
  private readonly socket: Socket;
  private readonly waiting: ((outcome: ProbeOutcome) => void)[] = [];

  constructor(private readonly target: Target) {
    this.socket = createSocket(familyOf(target.address) === 'ipv4' ? 'udp4' : 'udp6');
    this.socket.on('message', (message) => this.waiting.shift()?.(answered(message.toString('utf8'))));
    this.socket.on('error', (err) => this.waiting.shift()?.({ ok: false, reason: reasonOf(err) }));
    if (target.source !== undefined) this.socket.bind({ address: target.source, port: 0 });
  }

  probe(timeoutMs: number): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      const leave = (): void => {
        const at = this.waiting.indexOf(finish);
        if (at >= 0) this.waiting.splice(at, 1);
      };
      const finish = settleOnce(resolve, leave, timeoutMs);
      this.waiting.push(finish);
      this.socket.send('?', this.target.port, this.target.address, (err) => {
        if (err) finish({ ok: false, reason: reasonOf(err) });
      });
    });
  }
}

const flows = new Map<string, UdpFlow>();

function flowOf(target: Target): UdpFlow {
  const name = targetName(target);
  const flow = flows.get(name) ?? new UdpFlow(target);
  flows.set(name, flow);
  return flow;
}

export function probe(target: Target, timeoutMs: number): Promise<ProbeOutcome> {
  switch (target.protocol) {
    case 'http':
      return probeHttp(target, timeoutMs);
    case 'udp':
      return probeUdp(target, timeoutMs);
    case 'udp-flow':
      return flowOf(target).probe(timeoutMs);
  }
}
