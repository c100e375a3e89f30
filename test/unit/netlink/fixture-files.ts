// Loads kernel replies captured into test/fixtures/<family>/*.hex (annotated
// hex, `--` between datagrams; see test/fixtures/capture-support.ts).
import { readFileSync } from 'node:fs';
import { NLMSG_DONE, NLMSG_ERROR, parseMessages, type NetlinkMessage } from '../../../src/netlink/index.js';
import { hexDatagrams } from './hex.js';

// Tests run from build/test/unit/netlink; the fixtures stay in the source tree.
const FIXTURES = new URL('../../../../test/fixtures/', import.meta.url);

export interface Fixtures {
  datagrams(name: string): Buffer[];
  messages(name: string): NetlinkMessage[];
  /** The data messages of a reply: everything but the closing ACK or NLMSG_DONE. */
  replies(name: string): NetlinkMessage[];
  /** The one NLMSG_ERROR message of an error capture. */
  error(name: string): NetlinkMessage;
}

export function fixtures(family: string): Fixtures {
  const datagrams = (name: string): Buffer[] =>
    hexDatagrams(readFileSync(new URL(`${family}/${name}.hex`, FIXTURES), 'utf8'));
  const messages = (name: string): NetlinkMessage[] => datagrams(name).flatMap((datagram) => parseMessages(datagram));
  return {
    datagrams,
    messages,
    replies: (name) => messages(name).filter((m) => m.type !== NLMSG_DONE && m.type !== NLMSG_ERROR),
    error(name) {
      const errors = messages(name).filter((m) => m.type === NLMSG_ERROR);
      if (errors.length !== 1 || !errors[0])
        throw new Error(`${family}/${name}: expected one NLMSG_ERROR, got ${errors.length}`);
      return errors[0];
    },
  };
}
