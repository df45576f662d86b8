import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { toString } from 'uint8arrays/to-string'
import type { MessageView } from '../src/api/protocol.ts'
import { expect, pairUp, test } from './fixtures.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import { FirefoxProfile } from './support/firefox-profile.ts'
import type { PeerlinkProfile } from './support/peerlink-profile.ts'
import type { Evaluate } from './support/sandboxed-page.ts'

/** Messages each way in the conversation the previous version wrote, and how many of Alice's are still queued. */
const EACH_WAY = 5_000
const QUEUED = 100

/**
 * Writes, in Alice's browser, a conversation database exactly as the
 * previous version (schema 4: a record per message, four indexes) left it
 * for the identity `peerId`: 5,000 messages each way with `bobId`, a burst
 * every 50, the last 100 of Alice's still queued.
 */
async function writeSchema4 (evaluate: Evaluate, peerId: string, bobId: string): Promise<void> {
  await evaluate(async ({ name, bobId, eachWay, queued }) => {
    const text = 'x'.repeat(1_000)
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open(name, 4)
      open.onupgradeneeded = () => {
        const db = open.result
        const messages = db.createObjectStore('messages', { keyPath: ['channel', 'id'] })
        messages.createIndex('byPeerAt', ['peerId', 'at', 'direction', 'seq'])
        messages.createIndex('byPeerOutSeq', ['peerId', 'outSeq'])
        messages.createIndex('byWireId', ['peerId', 'wireIncarnation', 'channel', 'wireId'])
        messages.createIndex('byPeerChannelAt', ['peerId', 'channel', 'at', 'direction', 'seq'])
        const ledgers = db.createObjectStore('ledgers', { keyPath: 'peerId' })
        const peerIncarnation = 'bb'.repeat(16)
        for (let i = 0; i < eachWay; i++) {
          const at = Date.now() - 86_400_000 + Math.floor(i / 50) * 1_000
          messages.put({ id: `in-${i}`, wireId: `w${i}`, wireIncarnation: peerIncarnation, peerId: bobId, direction: 'in', seq: i, channel: 'peerlink', kind: 'text', text: `from Bob ${i} ${text}`, bytes: 1_010, at, state: 'received' })
          // Delivered ones too: "delivered" is derived from the ack point.
          messages.put({ id: `out-${i}`, peerId: bobId, direction: 'out', seq: i, outSeq: i, channel: 'peerlink', kind: 'text', text: `from Alice ${i}`, bytes: 12, at: at + 500, state: 'queued', expiresAt: Date.now() + 86_400_000 })
        }
        ledgers.put({
          peerId: bobId, incarnation: 'aa'.repeat(16), peerIncarnation, peerMaxMessageBytes: 65_536, nextOutSeq: eachWay, nextInSeq: eachWay,
          ackedOutSeq: eachWay - queued - 1, pendingCount: queued, pendingBytes: queued * 12, storedCount: 2 * eachWay
        })
      }
      open.onsuccess = () => { open.result.close(); resolve() }
      open.onerror = () => { reject(open.error) }
    })
  }, { name: `peerlink-${peerId}`, bobId, eachWay: EACH_WAY, queued: QUEUED })
}

/** A profile of either browser: the API, and one of Peerlink's pages to write the old database from. */
type Upgraded = PeerlinkProfile & { open: (path: 'options/options.html') => Promise<unknown> }

/**
 * Alice imports an identity whose database the previous version wrote; the
 * 10,000 messages read back in order, and what was queued reaches Bob once
 * each and in order, before her new message.
 */
async function upgradeAndCheck (alice: Upgraded, bob: PeerlinkProfile, bobId: string): Promise<void> {
  // An identity whose database the previous version wrote; importing it makes Peerlink open that database.
  const key = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(key).toString()
  // Playwright's page in Chromium, Puppeteer's in Firefox: both evaluate a function with one argument.
  const page = await alice.open('options/options.html') as { evaluate: Evaluate, close: () => Promise<void> }
  await writeSchema4(async (fn, arg) => await page.evaluate(fn, arg), peerId, bobId)
  await page.close()
  await bob.api({ method: 'addPeer', peerId, name: 'Alice, upgraded' })
  expect((await alice.api({ method: 'importIdentity', privateKey: toString(privateKeyToProtobuf(key), 'base64pad') })).peerId).toBe(peerId)

  // Every message, paged back from the newest as the popup does, in the order it was written.
  const seen: MessageView[] = []
  let before: string | undefined
  for (;;) {
    const found = await alice.api({ method: 'getMessages', peerId: bobId, limit: 500, ...(before == null ? {} : { before }) })
    if (found.length === 0) break
    seen.unshift(...found)
    before = found[0]!.id
  }
  expect(seen).toHaveLength(2 * EACH_WAY)
  expect(seen.slice(0, 3).map(m => m.text.slice(0, 12))).toEqual(['from Bob 0 x', 'from Bob 1 x', 'from Bob 2 x'])
  expect(seen.slice(49, 52).map(m => m.text.slice(0, 14))).toEqual(['from Bob 49 xx', 'from Alice 0', 'from Alice 1'])
  expect((await alice.api({ method: 'getMessage', id: 'out-4999' })).text).toBe('from Alice 4999')

  // What was queued goes out once Alice writes again, after her new message's older ones, each once and in order.
  await alice.api({ method: 'send', peerId: bobId, text: 'after the upgrade', awaitDelivery: true })
  await expect.poll(async () => (await alice.status()).peers.find(p => p.peerId === bobId)?.pending.messages ?? 0, { timeout: 60_000 }).toBe(0)
  const atBob = (await bob.messages(peerId, 500)).map(m => m.text)
  expect(atBob).toEqual([...Array.from({ length: QUEUED }, (_, i) => `from Alice ${EACH_WAY - QUEUED + i}`), 'after the upgrade'])
}

test('a conversation of 10,000 messages the previous version stored opens after the upgrade: every message read back in order, and what was still queued is delivered', async ({ fresh }) => {
  test.setTimeout(120_000)
  await upgradeAndCheck(fresh.alice, fresh.bob, fresh.bobId)
})

test('Firefox: the same conversation of 10,000 messages opens after the upgrade, read back in order, and what was queued reaches a Chromium peer', async ({ relay }) => {
  test.setTimeout(180_000)
  const [firefox, chromium] = await Promise.all([FirefoxProfile.launch({ name: 'firefox' }), ExtensionProfile.launch({ name: 'chromium' })])
  try {
    const [, chromiumId] = await pairUp(relay, firefox, chromium, ['Firefox', 'Chromium'])
    await upgradeAndCheck(firefox, chromium, chromiumId)
  } finally {
    await Promise.all([firefox.close(), chromium.close()])
  }
})
