import type { PeerView } from '../api/protocol.ts'
import { t } from './i18n.ts'

/** One line on how a peer is reached, and a class for its colour. */
export function describePeerState (peer: PeerView): { text: string, tone: 'ok' | 'busy' | 'bad' | 'idle' } {
  // Its storage is full: our messages wait here until it has room again.
  if (peer.paused === 'storage-full' && peer.state === 'connected') return { text: t('peerPausedStorageFull'), tone: 'busy' }
  if (peer.state === 'connected' && peer.connection != null) {
    // How the bytes flow, from the selected ICE candidate pair, not from the address.
    switch (peer.connection.route) {
      case 'direct':
        return { text: t('peerDirect'), tone: 'ok' }
      case 'turn':
        return { text: t('peerTurn'), tone: 'ok' }
      default:
        return { text: t('peerRelayed'), tone: 'busy' }
    }
  }
  switch (peer.state) {
    case 'connecting':
      return { text: t('peerConnecting'), tone: 'busy' }
    case 'reconnecting': {
      const seconds = Math.max(0, Math.ceil(((peer.nextAttemptAt ?? Date.now()) - Date.now()) / 1000))
      return { text: t('peerReconnecting', String(seconds)), tone: 'busy' }
    }
    case 'failed':
      return { text: t('peerFailed'), tone: 'bad' }
    case 'closed':
      return { text: t(peer.closedBy === 'remote' ? 'peerClosedByPeer' : 'peerClosedByYou'), tone: 'idle' }
    case 'given-up':
      return { text: t('peerGivenUp'), tone: 'bad' }
    case 'idle':
      // Let go for being unused: reachable a moment ago, and dialed again by the next message.
      return peer.restedAt != null ? { text: t('peerResting'), tone: 'idle' } : { text: t('peerIdle'), tone: 'idle' }
    default:
      return { text: t('peerIdle'), tone: 'idle' }
  }
}
