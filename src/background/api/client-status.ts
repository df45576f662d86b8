import type { ClientId, ClientStatus, Status } from '../../api/protocol.ts'

/** What a client may see of the status: this browser's peer id, and the contacts' ids, names and states. */
export function clientStatus (status: Status, client: ClientId): ClientStatus {
  return {
    peerId: status.peerId,
    client,
    peers: status.peers.map(({ peerId, name, state }) => ({ peerId, name, state }))
  }
}
