// Loads the kernel replies captured into test/fixtures/ipvs (see its README).
import { readFileSync } from 'node:fs';
import { NLMSG_DONE, NLMSG_ERROR, parseMessages, type NetlinkMessage } from '../../../src/netlink/index.js';
import { hexDatagrams } from '../netlink/hex.js';

// Tests run from build/test/unit/ipvs; the fixtures stay in the source tree.
const FIXTURES = new URL('../../../../test/fixtures/ipvs/', import.meta.url);

export function fixtureDatagrams(name: string): Buffer[] {
  return hexDatagrams(readFileSync(new URL(`${name}.hex`, FIXTURES), 'utf8'));
}

export function fixtureMessages(name: string): NetlinkMessage[] {
  return fixtureDatagrams(name).flatMap((datagram) => parseMessages(datagram));
}

/** The data messages of a reply: everything but the closing ACK or NLMSG_DONE. */
export function fixtureReplies(name: string): NetlinkMessage[] {
  return fixtureMessages(name).filter((m) => m.type !== NLMSG_DONE && m.type !== NLMSG_ERROR);
}

/** The one NLMSG_ERROR message of an error capture. */
export function fixtureError(name: string): NetlinkMessage {
  const errors = fixtureMessages(name).filter((m) => m.type === NLMSG_ERROR);
  if (errors.length !== 1 || !errors[0]) throw new Error(`${name}: expected one NLMSG_ERROR, got ${errors.length}`);
  return errors[0];
}
