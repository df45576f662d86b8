import { test as base } from '@playwright/test'
import { ExtensionProfile, type ProfileOptions } from './support/extension-profile.ts'
import type { PeerlinkProfile } from './support/peerlink-profile.ts'
import { RelayProcess } from './support/relay-process.ts'

export interface Pair {
  alice: ExtensionProfile
  bob: ExtensionProfile
  aliceId: string
  bobId: string
}

/** Reserves both profiles on the relay and makes each the other's contact, named `names`; answers their peer ids. */
export async function pairUp (relay: RelayProcess, a: PeerlinkProfile, b: PeerlinkProfile, names: [a: string, b: string]): Promise<[a: string, b: string]> {
  await Promise.all([a.useRelay(relay.address), b.useRelay(relay.address)])
  const [aId, bId] = [(await a.status()).peerId!, (await b.status()).peerId!]
  await a.api({ method: 'addPeer', peerId: bId, name: names[1] })
  await b.api({ method: 'addPeer', peerId: aId, name: names[0] })
  return [aId, bId]
}

/** Two new profiles, both reserved on the relay and each other's contact; `options` apply to both (such as extensions loaded beside Peerlink). */
export async function makePair (relay: RelayProcess, options: Omit<ProfileOptions, 'name'> = {}): Promise<Pair> {
  const [alice, bob] = await Promise.all([ExtensionProfile.launch({ ...options, name: 'alice' }), ExtensionProfile.launch({ ...options, name: 'bob' })])
  const [aliceId, bobId] = await pairUp(relay, alice, bob, ['Alice', 'Bob'])
  return { alice, bob, aliceId, bobId }
}

interface WorkerFixtures {
  /** A real relay process on 127.0.0.1, shared by the tests of one worker. */
  relay: RelayProcess
  /** A pair of profiles shared by the light tests of one worker. */
  shared: Pair
}

interface TestFixtures {
  alice: ExtensionProfile
  bob: ExtensionProfile
  /** A pair of its own, for tests that need clean state. */
  fresh: Pair
  /** A pair with a relay of its own, for tests that restart or break the relay. */
  isolated: Pair & { relay: RelayProcess }
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  relay: [async ({}, use) => {
    const relay = await RelayProcess.start()
    await use(relay)
    await relay.stop()
  }, { scope: 'worker' }],
  shared: [async ({ relay }, use) => {
    const pair = await makePair(relay)
    await use(pair)
    await Promise.all([pair.alice.close(), pair.bob.close()])
  }, { scope: 'worker' }],
  alice: async ({ shared }, use) => { await use(shared.alice) },
  bob: async ({ shared }, use) => { await use(shared.bob) },
  fresh: async ({ relay }, use) => {
    const pair = await makePair(relay)
    await use(pair)
    await Promise.all([pair.alice.close(), pair.bob.close()])
  },
  isolated: async ({}, use) => {
    const relay = await RelayProcess.start()
    const pair = await makePair(relay)
    await use({ ...pair, relay })
    await Promise.all([pair.alice.close(), pair.bob.close()])
    await relay.stop()
  }
})

export { expect } from '@playwright/test'
