import type { PeerView } from '../api/protocol.ts'
import { t } from './i18n.ts'

/** One line on how a peer is reached, and a class for its colour. */
export function describePeerState (peer: PeerView): { text: string, tone: 'ok' | 'busy' | 'bad' | 'idle' } {
  if (peer.state === 'connected' && peer.connection != null) {
    return peer.connection.direct
      ? { text: t('peerDirect'), tone: 'ok' }
      : { text: t('peerRelayed'), tone: 'busy' }
  }
  if (peer.state === 'connecting') return { text: t('peerConnecting'), tone: 'busy' }
  if (peer.state === 'failed') return { text: t('peerFailed'), tone: 'bad' }
  return { text: t('peerIdle'), tone: 'idle' }
}
