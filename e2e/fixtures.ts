import { test as base } from '@playwright/test'
import { ExtensionProfile } from './support/extension-profile.ts'
import { RelayProcess } from './support/relay-process.ts'

export interface PeerlinkFixtures {
  /** A real relay process on 127.0.0.1, one per test file. */
  relay: RelayProcess
  /** Two browser profiles with the extension, both reserved on the relay and each other's contact. */
  alice: ExtensionProfile
  bob: ExtensionProfile
}

/** Fixtures shared by the end-to-end tests; profiles live for a whole file to keep the suite fast. */
export const test = base.extend<object, PeerlinkFixtures>({
  relay: [async ({}, use) => {
    const relay = await RelayProcess.start()
    await use(relay)
    await relay.stop()
  }, { scope: 'worker' }],
  alice: [async ({ relay }, use) => {
    const profile = await ExtensionProfile.launch({ name: 'alice' })
    await profile.useRelay(relay.address)
    await use(profile)
    await profile.close()
  }, { scope: 'worker' }],
  bob: [async ({ relay, alice }, use) => {
    const profile = await ExtensionProfile.launch({ name: 'bob' })
    await profile.useRelay(relay.address)
    const [aliceId, bobId] = [(await alice.status()).peerId!, (await profile.status()).peerId!]
    await alice.api({ method: 'addPeer', peerId: bobId, name: 'Bob' })
    await profile.api({ method: 'addPeer', peerId: aliceId, name: 'Alice' })
    await use(profile)
    await profile.close()
  }, { scope: 'worker' }]
})

export { expect } from '@playwright/test'
