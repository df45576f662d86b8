import '../../relay/polyfills.ts'
import { randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { sha256 } from '@noble/hashes/sha2.js'
import { createLibp2p, type Libp2p } from 'libp2p'
import { WebSocket as NodeWebSocket } from 'ws'
import { MAIL_FETCH_RESPONSE_BYTES } from '../../src/common/constants.ts'
import { formatContactCard, parseContactCard, type ContactCard } from '../../src/common/wire/contact-card.ts'
import { freshCounters } from '../../src/common/counters.ts'
import { encodeFrameBody, newIncarnation, type Frame, type Hello } from '../../src/common/wire/frames.ts'
import { decodeMailboxToken } from '../../src/common/wire/mailbox-token.ts'
import { callMailbox, MailboxRequest, type MailboxResponse } from '../../src/common/wire/mailbox-protocol.ts'
import type { ConversationHello, DepositOutcome, MailIn } from '../../src/link/apis.ts'
import { MailCourier } from '../../src/offscreen/mailbox/mail-courier.ts'
import { mailKeys, sealMail, type Mail, type MailKeys } from '../../src/offscreen/mailbox/mail-seal.ts'
import { toString as bytesToText } from 'uint8arrays'

// @libp2p/websockets dials with the global WebSocket, which Node has only from 22 on.
globalThis.WebSocket ??= NodeWebSocket as unknown as typeof WebSocket

/**
 * A peer in Node that speaks the mailbox protocol as a browser's node does
 * (the same courier, sealing and envelopes): reserved on a relay with a
 * mailbox of its own, it leaves mail for a browser and reads the answers.
 * Tests also use it to leave what no honest peer would: tampered, replayed
 * or misaddressed envelopes.
 */
export class MailPeer {
  readonly node: Libp2p
  readonly keys: MailKeys
  readonly relay: string
  /** The token this peer hands out (on its card, in its HELLO). */
  readonly token: string
  /** Mail the browser left for it, as its courier opened it. */
  readonly received: MailIn[]
  readonly courier: MailCourier
  readonly incarnation = newIncarnation()

  private constructor (node: Libp2p, keys: MailKeys, relay: string, token: string, courier: MailCourier, received: MailIn[]) {
    this.node = node
    this.keys = keys
    this.relay = relay
    this.token = token
    this.courier = courier
    this.received = received
  }

  /** Starts, reserves on `relay` and registers its mailbox there. */
  static async start (relay: string): Promise<MailPeer> {
    const key = await generateKeyPair('Ed25519')
    const node = await createLibp2p({
      privateKey: key,
      addresses: { listen: ['/p2p-circuit'] },
      transports: [webSockets(), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: { denyDialMultiaddr: () => false },
      services: { identify: identify() }
    })
    const peerId = peerIdFromPrivateKey(key).toString()
    const keys = await mailKeys(key, peerId)
    const token = bytesToText(randomBytes(16), 'base64url')
    const received: MailIn[] = []
    const courier = new MailCourier({
      node,
      keys,
      relays: [relay],
      tokenHashes: [sha256(decodeMailboxToken(token))],
      sink: {
        mailArrived: async (_peerId, mails) => {
          received.push(...mails)
          return { applied: mails.length, rejected: 0 }
        },
        unknownPeerAccepted: async () => {}
      },
      isContact: () => true,
      acceptUnknownPeers: () => false,
      request: () => {},
      hello: conversation => ({ ...conversation, maxMessageBytes: 1024 * 1024, inactivityTimeoutMs: 120_000, addresses: [`${relay}/p2p-circuit/p2p/${peerId}`] }),
      counters: freshCounters(),
      changed: () => {},
      log: () => {}
    })
    const peer = new MailPeer(node, keys, relay, token, courier, received)
    try {
      await courier.start()
      node.addEventListener('self:peer:update', () => { courier.addressesChanged(node.getMultiaddrs().map(String)) })
      await node.dial(multiaddr(relay))
      const deadline = Date.now() + 20_000
      while (!node.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit'))) {
        if (Date.now() > deadline) throw new Error('the mail peer got no reservation')
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      courier.addressesChanged(node.getMultiaddrs().map(String))
      await courier.fetchAll()
      return peer
    } catch (err) {
      await peer.stop()
      throw err
    }
  }

  get peerId (): string {
    return this.keys.peerId
  }

  /** Its contact card, with its token. */
  get card (): string {
    return formatContactCard({ peerId: this.peerId, addresses: [`${this.relay}/p2p-circuit/p2p/${this.peerId}`], mailboxToken: this.token })
  }

  /** The conversation's part of a HELLO from this peer, as a browser's worker would say it. */
  hello (over: Partial<ConversationHello> = {}): ConversationHello {
    return { incarnation: this.incarnation, peerIncarnation: null, nextExpectedSeq: 0, firstSeq: 0, mailboxToken: this.token, ...over }
  }

  /** Leaves `texts` (from sequence number `firstSeq`) in the mailbox the card names, as the courier of a browser would. */
  async send (card: string, texts: string[], firstSeq = 0, hello: Partial<ConversationHello> = {}): Promise<DepositOutcome> {
    const { peerId, addresses, mailboxToken } = parseContactCard(card)
    const now = Date.now()
    return await this.courier.deposit(peerId, {
      hello: this.hello({ firstSeq, ...hello }),
      messages: texts.map((text, i) => ({ seq: firstSeq + i, id: `mail-peer-${firstSeq + i}-${now}`, body: new TextEncoder().encode(text), channel: 'peerlink', kind: 'text' })),
      addresses,
      token: mailboxToken!,
      sentAt: now,
      seenSentAt: 0
    })
  }

  /** An envelope sealed by this peer for `recipient` at `relayPeerId`, with these frames after a HELLO. */
  async seal (recipient: string, relayPeerId: string, frames: Frame[], hello: Partial<ConversationHello> = {}): Promise<Uint8Array> {
    const fullHello: Hello = { ...this.hello(hello), maxMessageBytes: 1024 * 1024, inactivityTimeoutMs: 120_000, addresses: [] }
    const mail: Mail = {
      id: randomBytes(16),
      sentAt: Date.now(),
      seenSentAt: 0,
      frames: [{ type: 'hello', hello: fullHello } as Frame, ...frames].map(f => encodeFrameBody(f) as Uint8Array<ArrayBuffer>)
    }
    return await sealMail(this.keys, recipient, relayPeerId, mail)
  }

  /** Deposits raw envelope bytes for the card's owner at its relay, whatever they hold. */
  async depositRaw (card: ContactCard, envelope: Uint8Array): Promise<MailboxResponse> {
    return await callMailbox(this.node, multiaddr(this.relay), 'relay', {
      type: MailboxRequest.Type.DEPOSIT,
      recipient: card.peerId,
      token: decodeMailboxToken(card.mailboxToken!) as Uint8Array<ArrayBuffer>,
      envelope: envelope as Uint8Array<ArrayBuffer>
    }, MAIL_FETCH_RESPONSE_BYTES)
  }

  async stop (): Promise<void> {
    this.courier.stop()
    await this.node.stop()
  }
}
