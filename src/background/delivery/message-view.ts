import type { MessageView } from '../../api/protocol.ts'
import type { StoredMessage } from './message-store.ts'

/** How far an outgoing conversation got: what the peer acknowledged, and what is on the wire. */
export interface DeliveryProgress {
  /** Every outgoing message up to here was acknowledged (-1: none). */
  ackedOutSeq: number
  /** Whether a message was written to the peer and waits for its ack. */
  sent: (seq: number) => boolean
}

/**
 * What a page sees of a stored message: the documented fields only, and its
 * state as of now. An outgoing message is stored once as 'queued'; that it
 * was delivered follows from the peer's cumulative ack, that it is in the
 * peer's mailbox from its record, that it was sent from the outbox's window.
 * Without `progress`, the stored state stands.
 */
export function messageView (message: StoredMessage, progress?: DeliveryProgress): MessageView {
  let state = message.state
  if (message.direction === 'out' && state === 'queued' && progress != null) {
    if (message.seq <= progress.ackedOutSeq) state = 'delivered'
    else if (message.mailbox != null) state = 'stored'
    else if (progress.sent(message.seq)) state = 'sent'
  }
  const view: MessageView = {
    id: message.id,
    peerId: message.peerId,
    direction: message.direction,
    seq: message.seq,
    channel: message.channel,
    kind: message.kind,
    text: message.text,
    bytes: message.bytes,
    at: message.at,
    state
  }
  if (message.data != null) view.data = message.data
  if (state === 'stored' && message.mailbox != null) view.storedAt = message.mailbox.relays
  if (message.error != null) view.error = message.error
  return view
}
