/**
 * Delivery: every message's way through the conversation, durable in IndexedDB.
 * The ledger's rules (incarnations, what an ack may acknowledge), the outbox
 * (window, resends, acks, failures), the inbox (exactly once, in order), the
 * history and its bound, unread counts, and one message as a page sees it.
 */
export { DeliveryWatch } from './delivery-watch.ts'
export { Inbox } from './inbox.ts'
export { countByChannel, type MailState, MessageStore, type PendingMessage, type StoredMessage, type StoredWithAck } from './message-store.ts'
export { messageView } from './message-view.ts'
export { type OutgoingMessage, Outbox } from './outbox.ts'
export { Unread } from './unread.ts'
