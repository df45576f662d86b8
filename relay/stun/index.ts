/**
 * STUN: the relay's own STUN server (a Binding request answered with the
 * address it came from), so browsers behind NAT learn their public address
 * from a server their user chose; and the message codec that it and the
 * tests' clients share.
 */
export { DEFAULT_STUN_ANSWERS_PER_SECOND, startStunServer, StunBindError, type StunCounters, type StunServer, type StunServerOptions } from './stun-server.ts'
export {
  Attribute, MessageType, decodeXorAddress, encodeStunMessage, errorCodeOf, findAttribute, longTermKey, newTransactionId,
  parseStunMessage, type StunAttribute, type StunMessage, type TransportAddress
} from './stun-message.ts'
