/**
 * Mailbox: mail for contacts who are offline, on the relays they are
 * reserved on. Sealing and opening end to end, packing a conversation into
 * envelopes, and the requests to relays: register, deposit, fetch, delete.
 */
export { MailCourier } from './mail-courier.ts'
export { mailKeys } from './mail-seal.ts'
