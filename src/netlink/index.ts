// The netlink layer's public surface: everything above imports from here.
export * from './attributes.js';
export * from './constants.js';
export * from './errors.js';
export * from './family-errors.js';
export * from './generic.js';
export * from './message.js';
export * from './nfnetlink.js';
export * from './socket.js';
export * from './struct.js';
export * from './writer.js';
export * from './operations.js';
