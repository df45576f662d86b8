/**
 * Mailbox: sealed envelopes kept for browsers that are offline, in SQLite,
 * with per-mailbox and per-sender limits; the protocol that registers,
 * deposits, fetches and deletes them, and tells an online browser of new mail.
 */
export { MailStore, type MailLimits, type MailStoreStats } from './mail-store.ts'
export { serveMailbox, tokenHash, type MailboxService, type MailboxCounters } from './mailbox-service.ts'
