import type { MessageView } from '../api/protocol.ts'

/** Each message state's words, as a locale key (`stateStored` takes the contact's name). */
export const STATE_TEXT: Record<MessageView['state'], string> = {
  queued: 'stateQueued', sent: 'stateSent', stored: 'stateStored', delivered: 'stateDelivered', failed: 'stateFailed', received: 'stateReceived'
}

/** Each state's mark, shown beside its words (which a screen reader reads instead). */
export const STATE_ICON: Record<MessageView['state'], string> = {
  queued: '◷', sent: '✓', stored: '✉', delivered: '✓✓', failed: '⚠', received: ''
}
