import { DEFAULT_GIVE_UP_AFTER_PERMANENT_ERRORS, NOTICE_DELAY_MS } from '../common/constants.ts'
import { displayName } from '../common/short-id.ts'
import { OWN_CHANNEL, isClientId } from '../common/client-id.ts'
import { Clients } from './api/index.ts'
import { Contacts, Reconnector } from './peers/index.ts'
import { type KeyValueStore, OwnIdentity, SettingsStore, storeNameFor } from './profile/index.ts'
import { countByChannel, Inbox, MessageStore, Outbox, type StoredMessage, Unread } from './delivery/index.ts'
import type { NodeLink } from './node/index.ts'
import { MailboxTokens, MailReceiver, MailSender } from './mailbox/index.ts'
import { Notices, type NoticesDeps } from './notices.ts'

/** The worker's durable state and policy, built once per worker start. */
export interface Parts {
  readonly identity: OwnIdentity
  readonly settings: SettingsStore
  readonly contacts: Contacts
  readonly store: MessageStore
  readonly outbox: Outbox
  readonly inbox: Inbox
  readonly reconnector: Reconnector
  readonly unread: Unread
  readonly clients: Clients
  readonly tokens: MailboxTokens
  readonly mailSender: MailSender
  readonly mailReceiver: MailReceiver
  readonly notices: Notices
}

export interface PartsDeps {
  storage: KeyValueStore
  /** Dials and transmissions go to the node through it. */
  node: NodeLink
  /** Every new message and changed state, as stored. */
  announce: (message: StoredMessage) => void
  /** Something a peer's view shows changed. */
  statusChanged: () => void
  /** Shows the number of unread messages on the toolbar icon (0: nothing). */
  showBadge: (total: number) => void
  /** Shows and clears system notifications. */
  notifier: Pick<NoticesDeps, 'show' | 'clear'>
  /** How long a burst of messages goes on before its notice shows (`NOTICE_DELAY_MS`). */
  noticeDelayMs?: number
  log: (format: string, ...args: unknown[]) => void
  /** The browser closed the database under the parts (a full disk): they must be built again. */
  storeLost?: () => void
}

/** Loads the worker's state and wires its parts to each other and to the node. */
export async function makeParts ({ storage, node, announce, statusChanged, showBadge, notifier, noticeDelayMs = NOTICE_DELAY_MS, log, storeLost }: PartsDeps): Promise<Parts> {
  const identity = await OwnIdentity.load(storage)
  const store = await MessageStore.open(await storeNameFor(storage, identity.peerId), storeLost)
  const settings = await SettingsStore.load(storage)
  const limits = (): typeof settings.current.limits => settings.current.limits
  const contacts = new Contacts(storage, () => identity.peerId, async peerId => await store.history.hasConversation(peerId))
  const reconnector = await Reconnector.load({
    storage,
    limits: () => ({
      baseMs: limits().retryBaseMs,
      capMs: limits().retryCapMs,
      maxAttemptsPerMinute: limits().maxAttemptsPerMinute,
      maxAttempts: Infinity,
      giveUpAfterPermanentErrors: DEFAULT_GIVE_UP_AFTER_PERMANENT_ERRORS
    }),
    connect: async (peerId) => { await node.call('connect', peerId, (await contacts.get(peerId)).addresses ?? []) },
    onConnected: (peerId) => {
      outbox.unblock(peerId)
      mailSender.streamUp(peerId)
    },
    onGaveUp: async (peerId, lastError) => {
      await outbox.failPeer(peerId, 'given-up', lastError)
      await notices.gaveUp(peerId)
    },
    // The peer is not there: what waits for it goes to its mailbox now.
    onFailed: (peerId) => { mailSender.now(peerId) },
    changed: statusChanged,
    log
  })
  const outbox: Outbox = new Outbox({
    store,
    transmit: async (peerId, frames) => { await node.call('sendMessages', peerId, frames) },
    needConnection: (peerId) => {
      reconnector.want(peerId)
      mailSender.waiting(peerId)
    },
    announce,
    limits: () => ({
      maxPendingMessages: limits().maxPendingMessagesPerPeer,
      maxPendingBytes: limits().maxPendingBytesPerPeer,
      maxPendingMessagesPerClient: limits().maxPendingMessagesPerClient,
      maxPendingBytesPerClient: limits().maxPendingBytesPerClient,
      maxMessageBytes: limits().maxMessageBytes
    }),
    settings: () => ({
      ttlMs: limits().messageTtlMs,
      ackTimeoutMs: limits().ackTimeoutMs,
      maxInFlightBytes: limits().maxInFlightBytesPerPeer,
      historyPerPeer: limits().historyPerPeer
    }),
    log
  })
  const unread = new Unread(storage, showBadge, log)
  await unread.refreshBadge()
  const muted = async (peerId: string): Promise<boolean> => (await contacts.get(peerId).catch(() => undefined))?.muted === true
  const notices = new Notices({
    ...notifier,
    wanted: async (peerId) => settings.current.notifications && (peerId == null || !await muted(peerId)),
    unread: async (peerId) => (await unread.counts())[peerId] ?? 0,
    name: async (peerId) => {
      const name = (await contacts.get(peerId).catch(() => undefined))?.name ?? ''
      return displayName(name, peerId)
    },
    storage,
    delayMs: noticeDelayMs,
    log
  })
  const clients = await Clients.load(storage)
  const inbox = new Inbox(store, contacts, announce, async (peerId, messages) => {
    // The badge and notifications tell of what Peerlink's own pages show; a client's messages are its own to show.
    const own = messages.filter(m => m.channel === OWN_CHANNEL)
    if (own.length > 0) {
      await unread.add(peerId, own.length)
      notices.received(peerId, own.at(-1)!)
    }
    for (const [channel, count] of countByChannel(messages)) {
      if (isClientId(channel) && !clients.allowed(channel)) await clients.waiting(channel, count)
    }
    statusChanged()
  }, () => limits().historyPerPeer, log)
  const tokens = await MailboxTokens.load(storage)
  const mailSender: MailSender = new MailSender({
    store,
    contacts,
    tokens,
    connected: peerId => node.info?.peers[peerId]?.state === 'connected',
    deposit: async (peerId, mail) => await node.call('depositMail', peerId, mail),
    announce,
    changed: statusChanged,
    log
  })
  const mailReceiver = new MailReceiver({
    store,
    outbox,
    inbox,
    contacts,
    closed: async (peerId) => {
      await reconnector.close(peerId, 'remote')
      await outbox.failPeer(peerId, 'peer-closed', 'the peer ended the conversation')
    },
    applied: (peerId) => { mailSender.now(peerId) },
    log
  })
  return { identity, settings, contacts, store, outbox, inbox, reconnector, unread, clients, tokens, mailSender, mailReceiver, notices }
}

/** Stops the parts' timers and closes their database (before they are built again, under another identity). */
export function stopParts ({ reconnector, outbox, store, mailSender, notices }: Parts): void {
  reconnector.stop()
  notices.stop()
  outbox.stop()
  mailSender.stop()
  store.close()
}
