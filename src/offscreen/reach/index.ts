/**
 * Reach: getting to a peer. Who may connect, the relays kept reserved and the
 * pool of relays contacts use, one dial (WebRTC with a head start, then the
 * relay), WebRTC tries while relayed, and where each peer can be reached.
 */
export { type Opened } from './dial.ts'
export { PeerGate } from './peer-gate.ts'
export { PeerReach } from './peer-reach.ts'
export { RelayKeeper, relayPeerId } from './relay-keeper.ts'
export { circuitAddresses, relayOf, RelayPool } from './relay-pool.ts'
