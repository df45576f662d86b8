import { expect, test } from './fixtures.ts'
import { keepStoppingWorker, numbered, sendNumbered, waitForAll } from './support/exchange.ts'

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
  expect(atBob.received).toEqual(numbered('a', count))
  expect(atAlice.received).toEqual(numbered('b', count))
  expect(atBob.pending).toBe(0)
  expect(atAlice.pending).toBe(0)
  // Every message the senders stored is marked delivered.
  const sentByAlice = (await alice.messages(bobId, 10_000)).filter(m => m.direction === 'out')
  expect(sentByAlice.filter(m => m.state !== 'delivered')).toEqual([])
})
