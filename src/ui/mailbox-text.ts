import type { SerializedError } from '../api/protocol.ts'
import { shortId } from '../common/short-id.ts'
import { t } from './i18n.ts'

/** Why mail for `name` was not left in its mailbox, in words, from the error's data (a MailboxRefusedError). */
export function mailboxTroubleText (name: string, error: SerializedError): string {
  const { reason, relay, limit, value } = error.data
  const at = typeof relay === 'string' && relay !== 'none' ? shortId(relay) : ''
  switch (reason) {
    case 'mailbox-full-bytes':
    case 'mailbox-full-envelopes':
    case 'relay-full':
      return t('mailboxFull', name, at, String(value), String(limit))
    case 'envelope-too-large':
      return t('mailboxTooLarge', name, at, String(value), String(limit))
    case 'no-mailbox':
      return t('mailboxNone', name)
    case 'no-mailbox-service':
      return t('mailboxNoService', name, at)
    case 'no-token':
      return t('mailboxNoToken', name)
    case 'not-allowed':
      return t('mailboxNotAllowed', name)
    default:
      return t('mailboxTrouble', name, at, typeof reason === 'string' ? reason : error.message)
  }
}
