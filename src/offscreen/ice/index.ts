/**
 * ICE: how WebRTC crosses NATs. The STUN and TURN servers in use (the user's,
 * else the relays' offers, never a public default), and each connection's
 * true route (direct, TURN or relay) read from the selected candidate pair.
 */
export { ConnectionRoutes } from './connection-routes.ts'
export { IceConfig } from './ice-config.ts'
export { RelayIceOffers } from './relay-ice-offers.ts'
