import type { MessageView } from '../src/api/protocol.ts'
import { ResourceLimitError } from '../src/common/errors/index.ts'
import { expect, test } from './fixtures.ts'
import { keepStoppingWorker, numbered, sendNumbered, sendWaiting, waitForAll } from './support/exchange.ts'
import { ExtensionProfile } from './support/extension-profile.ts'
import type { PeerlinkProfile } from './support/peerlink-profile.ts'

test('chaos: 2,000 messages each way through worker stops, a stream reset, a closed offscreen document and a relay restart arrive exactly once, in order', async ({ isolated }) => {
  test.setTimeout(480_000)
  // A relay of its own: this test restarts it.
  const { alice, bob, aliceId, bobId, relay } = isolated
  const count = 2000
  const stoppers = [keepStoppingWorker(alice, 2_000), keepStoppingWorker(bob, 2_000)]
  const events: string[] = []

  // Each disruption happens once, at a point in Alice's sending.
  const disrupt = async (sent: number): Promise<void> => {
    if (sent === 500) {
      // Bob resets the stream: Alice sees a remote abort (StreamResetError).
      await bob.api({ method: 'resetPeer', peerId: aliceId })
      events.push(`stream reset by Bob at ${sent}`)
    } else if (sent === 1000) {
      await stoppers[0]!.pause()
      await alice.closeOffscreenDocument()
      stoppers[0]!.resume()
      events.push(`Alice's offscreen document closed at ${sent}`)
    } else if (sent === 1500) {
      await relay.restart()
      events.push(`relay restarted at ${sent}`)
    }
  }

  await Promise.all([sendNumbered(alice, bobId, 'a', count, disrupt), sendNumbered(bob, aliceId, 'b', count)])
  const [atBob, atAlice] = await Promise.all([waitForAll(alice, bob, count, 240_000), waitForAll(bob, alice, count, 240_000)])
  const stops = await Promise.all(stoppers.map(async s => await s.end()))

  const duplicates = (texts: string[]): number => texts.length - new Set(texts).size
  console.log([
    ...events,
    `worker stops: Alice ${stops[0]}, Bob ${stops[1]}`,
    `Alice → Bob: ${atBob.received.length} received, ${duplicates(atBob.received)} duplicates, ${atBob.pending} still in Alice's outbox`,
    `Bob → Alice: ${atAlice.received.length} received, ${duplicates(atAlice.received)} duplicates, ${atAlice.pending} still in Bob's outbox`
  ].join('\n'))

  expect(events).toHaveLength(3)
  expect(stops[0]).toBeGreaterThan(0)
  expect(stops[1]).toBeGreaterThan(0)
  expect(atBob.received).toEqual(numbered('a', count))
  expect(atAlice.received).toEqual(numbered('b', count))
  expect(atBob.pending).toBe(0)
  expect(atAlice.pending).toBe(0)
  // Every message the senders stored is marked delivered.
  const sentByAlice = (await alice.messages(bobId, 10_000)).filter(m => m.direction === 'out')
  expect(sentByAlice.filter(m => m.state !== 'delivered')).toEqual([])
})

test('chaos, continued: a receiver pruning its history, a sender lowering its size limit and an identity moved mid-run: nothing lost, duplicated or falsely delivered', async ({ fresh, relay }) => {
  test.setTimeout(300_000)
  const { alice, bob, aliceId, bobId } = fresh
  const count = 600
  // Bob keeps only the newest 50 messages per conversation, so his history is pruned as Alice's
  // messages arrive: what he saw arrive is counted from his events, not from storage.
  await bob.api({ method: 'setLimits', limits: { historyPerPeer: 50 } })
  const [atOldBob, atAlice] = await Promise.all([bob.collectIncoming(aliceId), alice.collectIncoming(bobId)])
  const size = (i: number): number => 64 + (i * 7919) % 3000
  const text = (prefix: string, i: number): string => `${prefix}-${i}-${'x'.repeat(size(i))}`
  const label = (t: string): string => t.split('-').slice(0, 2).join('-')
  const refused = new Map<string, string>()
  const events: string[] = []
  let newBob: ExtensionProfile | undefined
  let atNewBob: { texts: () => string[] } | undefined
  let oldBobOut: MessageView[] = []
  let oldBobReceived: string[] = []
  let oldBobStored = 0
  let movedViews = ''
  /** Old Bob's browser is closing or closed: his send cut off by it fails, as expected. */
  let oldBobGone = false

  const aliceSends = async (): Promise<void> => {
    for (let i = 0; i < count; i++) {
      if (i === 200) {
        // Alice lowers her message size limit: larger sends are refused from now on, with the limit named.
        await alice.api({ method: 'setLimits', limits: { maxMessageBytes: 2048 } })
        events.push(`Alice lowered her message size limit to 2 KiB at ${i}`)
      }
      if (i === 400) {
        // Bob moves his identity to a new browser, mid-run; the old one goes away once what Alice
        // sent so far reached it (what it stored then is what its pages showed), while Bob's own
        // messages may still wait there unacknowledged.
        await expect.poll(async () => (await alice.status()).peers.find(p => p.peerId === bobId)?.pending.messages, { timeout: 60_000 }).toBe(0)
        await new Promise(resolve => setTimeout(resolve, 200))
        // How each saw the other as Bob left: names the end that held Bob's messages back, should they wait.
        const seen = async (profile: ExtensionProfile, peerId: string): Promise<unknown> => {
          const peer = (await profile.status()).peers.find(p => p.peerId === peerId)
          return { state: peer?.state, paused: peer?.paused, pending: peer?.pending, inFlightBytes: peer?.inFlightBytes, lastClose: peer?.lastClose }
        }
        movedViews = JSON.stringify({ bobSawAlice: await seen(bob, aliceId), aliceSawBob: await seen(alice, bobId) })
        const { privateKey } = await bob.api({ method: 'exportIdentity' })
        const oldBobHistory = await bob.messages(aliceId, 10_000)
        oldBobStored = oldBobHistory.length
        oldBobOut = oldBobHistory.filter(m => m.direction === 'out')
        oldBobGone = true
        await bob.close()
        oldBobReceived = atOldBob.texts()
        newBob = await ExtensionProfile.launch({ name: 'bob-moved' })
        await newBob.api({ method: 'importIdentity', privateKey })
        await newBob.useRelay(relay.address)
        await newBob.api({ method: 'addPeer', peerId: aliceId, name: 'Alice' })
        atNewBob = await newBob.collectIncoming(aliceId)
        events.push(`Bob's identity moved to a new browser at ${i}`)
      }
      await send(alice, bobId, text('a', i), `a-${i}`, refused)
    }
  }
  const bobSends = async (): Promise<void> => {
    // Old Bob sends until he moves; new Bob goes on under his own numbering.
    for (let i = 0; i < count && !oldBobGone; i++) {
      try {
        await send(bob, aliceId, text('b', i), `b-${i}`, refused)
      } catch (err) {
        // The send his browser's close cut off is the one expected to fail; any other failure is the test's.
        if (!oldBobGone) throw err
      }
    }
    while (newBob == null || atNewBob == null) await new Promise(resolve => setTimeout(resolve, 100))
    for (let i = 0; i < 200; i++) await send(newBob, aliceId, text('nb', i), `nb-${i}`, refused)
  }
  await Promise.all([aliceSends(), bobSends()])
  const moved = newBob!
  const refusedBy = (prefix: string): number => [...refused.keys()].filter(id => id.startsWith(prefix)).length
  const show = (t: Tally): string => JSON.stringify({ ...t, failures: [...new Set(t.failures)] })
  try {
    await expect.poll(async () => (await alice.status()).peers.find(p => p.peerId === bobId)?.pending.messages, { timeout: 120_000 }).toBe(0)
    await expect.poll(async () => (await moved.status()).peers.find(p => p.peerId === aliceId)?.pending.messages, { timeout: 120_000 }).toBe(0)

    // What each side saw arrive, and what each sender's own pages say.
    const receivedByBobs = [...oldBobReceived, ...atNewBob!.texts()].map(label)
    const inOldBob = new Set(oldBobReceived.map(label))
    // Alice keeps her whole history: what she stored is the truth; her events must agree with it.
    const storedByAlice = (await alice.messages(bobId, 10_000)).filter(m => m.direction === 'in').map(m => label(m.text))
    const receivedByAlice = atAlice.texts().map(label)
    const aliceOut = (await alice.messages(bobId, 10_000)).filter(m => m.direction === 'out')
    const newBobOut = (await moved.messages(aliceId, 10_000)).filter(m => m.direction === 'out')

    /** Jepsen's habit: every message sent is delivered, lost (marked delivered, never seen), duplicated, failed with a reason, or still unacknowledged. */
    const lostIds: string[] = []
    const tally = (sent: MessageView[], received: string[], elsewhere = new Set<string>()): Tally => {
      const counts: Tally = { delivered: 0, lost: 0, duplicated: 0, failed: 0, unacknowledged: 0, failures: [] }
      for (const message of sent) {
        const id = label(message.text)
        const copies = received.filter(r => r === id).length
        // A message the old browser stored without its ack getting out is resent to the new one: one copy in each.
        if (copies > 1 && !(copies === 2 && elsewhere.has(id))) counts.duplicated++
        if (message.state === 'delivered') {
          if (copies > 0) counts.delivered++
          else { counts.lost++; lostIds.push(id) }
        } else if (message.state === 'failed') {
          counts.failed++
          counts.failures.push(`${String(message.error?.data.limitType ?? message.error?.data.reason)} ${String(message.error?.data.limit ?? '')}`.trim())
        } else {
          counts.unacknowledged++
        }
      }
      return counts
    }
    const aliceTally = tally(aliceOut, receivedByBobs, inOldBob)
    const oldBobTally = tally(oldBobOut, storedByAlice)
    const newBobTally = tally(newBobOut, storedByAlice)
    console.log([
      ...events,
      `Alice → Bob: ${show(aliceTally)}, ${refusedBy('a-')} refused at send`,
      `old Bob → Alice: ${show(oldBobTally)} (unacknowledged: still queued in the old browser)`,
      `new Bob → Alice: ${show(newBobTally)}, ${refusedBy('nb-')} refused at send`,
      `refusals: ${[...new Set(refused.values())].join(', ')}`,
      ...(lostIds.length > 0 ? [`marked delivered but never seen: ${lostIds.join(', ')}`] : []),
      `stored at old Bob when he moved: ${oldBobStored} messages (history limit 50, pruned every 25 new ones), having seen ${oldBobReceived.length} arrive`,
      `as Bob moved: ${movedViews}`
    ].join('\n'))

    expect(events).toHaveLength(2)
    expect(receivedByAlice).toEqual(storedByAlice)
    for (const t of [aliceTally, oldBobTally, newBobTally]) expect({ lost: t.lost, duplicated: t.duplicated }).toEqual({ lost: 0, duplicated: 0 })
    // Every message Alice and new Bob sent is accounted for: delivered, refused at send, or failed naming the limit.
    expect(aliceTally.delivered + refusedBy('a-')).toBe(count)
    expect(newBobTally.delivered + newBobTally.failed + refusedBy('nb-')).toBe(200)
    expect(new Set(newBobTally.failures)).toEqual(new Set(newBobTally.failed > 0 ? ['peer-message-bytes 2048'] : []))
    // In order: each side's receipts follow the sender's numbering.
    const numberOf = (id: string): number => Number(id.split('-')[1])
    const inOrder = (ids: string[]): boolean => ids.every((id, i) => i === 0 || numberOf(id) > numberOf(ids[i - 1]!))
    expect(inOrder(atNewBob!.texts().map(label))).toBe(true)
    expect(inOrder(oldBobReceived.map(label))).toBe(true)
    expect(inOrder(receivedByAlice.filter(id => id.startsWith('nb-')))).toBe(true)
    expect(inOrder(receivedByAlice.filter(id => id.startsWith('b-')))).toBe(true)
    // Refusals name the limit: Alice's own, lowered; and, for new Bob, Alice's as her HELLO told him.
    expect(new Set([...refused].filter(([id]) => id.startsWith('a-')).map(([, why]) => why))).toEqual(new Set(['message-bytes 2048']))
    for (const [id, why] of refused) if (id.startsWith('nb-')) expect(why).toBe('peer-message-bytes 2048')
    // The history limit pruned old Bob's stored conversation while he received far more.
    expect(oldBobReceived.length).toBeGreaterThan(200)
    expect(oldBobStored).toBeLessThanOrEqual(50 + 50)
  } finally {
    await moved.close()
  }
})

interface Tally { delivered: number, lost: number, duplicated: number, failed: number, unacknowledged: number, failures: string[] }

/** Sends one message, waiting out a full outbox; a refusal for its size is noted, not thrown. */
async function send (from: PeerlinkProfile, to: string, text: string, id: string, refused: Map<string, string>): Promise<void> {
  try {
    await sendWaiting(from, to, text, id)
  } catch (err) {
    if (!(err instanceof ResourceLimitError && (err.data.limitType === 'message-bytes' || err.data.limitType === 'peer-message-bytes'))) throw err
    refused.set(id, `${err.data.limitType} ${err.data.limit}`)
  }
}
