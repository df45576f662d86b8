/**
 * Mailbox: offline delivery, the worker's side. The tokens this browser
 * hands out so contacts may leave it mail, when and what to leave in a
 * contact's mailbox while it has no stream, and mail from a contact applied
 * to the conversation exactly as a stream's frames are.
 */
export { MailReceiver } from './mail-receiver.ts'
export { MailSender, type MailTrouble } from './mail-sender.ts'
export { MailboxTokens } from './mailbox-tokens.ts'
