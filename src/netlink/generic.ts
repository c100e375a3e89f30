// Generic netlink: the genlmsghdr request shape and family resolution through
// the controller (CTRL_CMD_GETFAMILY), cached per socket.
import {
  CTRL_ATTR_FAMILY_ID,
  CTRL_ATTR_FAMILY_NAME,
  CTRL_ATTR_HDRSIZE,
  CTRL_ATTR_MAXATTR,
  CTRL_ATTR_VERSION,
  CTRL_CMD_GETFAMILY,
  GENL_ID_CTRL,
  NETLINK_GENERIC,
} from './constants.js';
import { attributeSet, cstring, field, u16, u32, type AttributeSet, type AttributeValues } from './attributes.js';
import { NetlinkDecodeError, NetlinkError } from './errors.js';
import { parseGenericHeader, type NetlinkMessage } from './message.js';
import type { NetlinkSocket, Request } from './socket.js';
import type { Writer } from './writer.js';

export interface GenericFamily {
  readonly name: string;
  readonly id: number;
  readonly version: number;
  readonly maxAttribute: number;
}

/** A generic netlink request: genlmsghdr then one attribute set. */
export function genericRequest<F>(options: {
  familyId: number;
  familyName: string;
  command: number;
  commandName: string;
  version: number;
  flags?: number;
  attributes: AttributeSet<F>;
  values: AttributeValues<F>;
}): Request {
  return {
    type: options.familyId,
    ...(options.flags !== undefined && { flags: options.flags }),
    label: { family: options.familyName, command: options.commandName },
    writePayload(w: Writer) {
      writeGenericPayload(w, options.command, options.version, options.attributes, options.values);
    },
  };
}

/** A generic netlink message body: genlmsghdr, then the attributes. */
export function writeGenericPayload<F>(
  w: Writer,
  command: number,
  version: number,
  attributes: AttributeSet<F>,
  values: AttributeValues<F>,
): void {
  w.u8(command);
  w.u8(version);
  w.u16(0); // genlmsghdr.reserved
  attributes.encode(w, values);
}

/** Decodes the attributes of a generic netlink reply with one attribute set. */
export function decodeGeneric<F>(msg: NetlinkMessage, attributes: AttributeSet<F>): AttributeValues<F> {
  return attributes.decode(parseGenericHeader(msg).attributes);
}

const controllerAttributes = attributeSet('CTRL', {
  id: field(CTRL_ATTR_FAMILY_ID, u16),
  name: field(CTRL_ATTR_FAMILY_NAME, cstring),
  version: field(CTRL_ATTR_VERSION, u32),
  headerSize: field(CTRL_ATTR_HDRSIZE, u32),
  maxAttribute: field(CTRL_ATTR_MAXATTR, u32),
});

/** The family is not registered: its kernel module is not loaded or not built. */
export class FamilyNotFoundError extends Error {
  override readonly name = 'FamilyNotFoundError';
  constructor(readonly family: string) {
    super(`generic netlink family ${family} is not registered in this kernel`);
  }
}

const cache = new WeakMap<NetlinkSocket, Map<string, GenericFamily>>();

/** Looks a family up by name once per socket (ids are stable while the module stays loaded). */
export async function resolveFamily(socket: NetlinkSocket, name: string): Promise<GenericFamily> {
  if (socket.protocol !== NETLINK_GENERIC) throw new TypeError('resolveFamily needs a NETLINK_GENERIC socket');
  let families = cache.get(socket);
  if (!families) {
    families = new Map();
    cache.set(socket, families);
  }
  const known = families.get(name);
  if (known) return known;

  let replies: readonly NetlinkMessage[];
  try {
    replies = await socket.request(
      genericRequest({
        familyId: GENL_ID_CTRL,
        familyName: 'nlctrl',
        command: CTRL_CMD_GETFAMILY,
        commandName: 'GETFAMILY',
        version: 1,
        attributes: controllerAttributes,
        values: { name },
      }),
    );
  } catch (err) {
    if (err instanceof NetlinkError && err.code === 'ENOENT') throw new FamilyNotFoundError(name);
    throw err;
  }
  const reply = replies[0];
  if (!reply) throw new NetlinkDecodeError('CTRL', `no reply to GETFAMILY ${name}`);
  const attrs = decodeGeneric(reply, controllerAttributes);
  if (attrs.id === undefined) throw new NetlinkDecodeError('CTRL.id', 'missing in GETFAMILY reply');
  const family: GenericFamily = {
    name,
    id: attrs.id,
    version: attrs.version ?? 1,
    maxAttribute: attrs.maxAttribute ?? 0,
  };
  families.set(name, family);
  return family;
}
