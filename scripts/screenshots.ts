/**
 * `npm run screenshots`: makes every picture in the README from the real
 * pages with real state (a real relay, two browsers that talked, an app
 * using Peerlink, a fresh install's welcome page), in both themes, so they
 * can be refreshed whenever the pages change.
 */
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { makePair, pairUp } from '../e2e/fixtures.ts'
import { ClientPage, makeClientExtension } from '../e2e/support/client-extension.ts'
import { ExtensionProfile } from '../e2e/support/extension-profile.ts'
import { RelayProcess } from '../e2e/support/relay-process.ts'

const out = new URL('../docs/screenshots/', import.meta.url).pathname
if (spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' }).status !== 0) process.exit(1)

const SCHEMES = ['light', 'dark'] as const
type Scheme = typeof SCHEMES[number]

/** Opens `path` in `profile` at the given size and theme, once its fonts and first status are in. */
async function view (profile: ExtensionProfile, path: Parameters<ExtensionProfile['open']>[0], scheme: Scheme, width: number, height: number): Promise<Page> {
  const page = await profile.open(path)
  await page.emulateMedia({ colorScheme: scheme })
  await page.setViewportSize({ width, height })
  await page.waitForTimeout(500)
  return page
}

const relay = await RelayProcess.start()
const chat = makeClientExtension('chat')
const { alice, bob, aliceId, bobId } = await makePair(relay, { extraExtensions: [chat.dir] })
const carol = await ExtensionProfile.launch({ name: 'carol' })
try {
  const [, carolId] = await pairUp(relay, alice, carol, ['Alice', 'Carol'])
  await carol.api({ method: 'send', peerId: aliceId, text: 'Lunch on Friday?', awaitDelivery: true })
  await alice.api({ method: 'send', peerId: bobId, text: 'Hi Bob! Did the build pass?', awaitDelivery: true })
  await bob.api({ method: 'send', peerId: aliceId, text: 'All green. Sending you the numbers now.', awaitDelivery: true })
  await alice.api({ method: 'send', peerId: bobId, text: 'Great, thanks!', awaitDelivery: true })
  await alice.api({ method: 'send', peerId: carolId, text: 'Friday works.', awaitDelivery: true })

  // An app (another extension) that Alice allowed, with its own messages to Bob.
  const [chatAtAlice, chatAtBob] = await Promise.all([ClientPage.openInChromium(alice, chat), ClientPage.openInChromium(bob, chat)])
  await alice.api({ method: 'allowClient', client: chatAtAlice.client })
  await bob.api({ method: 'allowClient', client: chatAtBob.client })
  await chatAtAlice.api({ method: 'send', peerId: bobId, text: '{"move":"e2e4"}', awaitDelivery: true })
  await chatAtBob.api({ method: 'send', peerId: aliceId, text: '{"move":"e7e5"}', awaitDelivery: true })
  // Let a few round-trip samples come in for the chart.
  await new Promise(resolve => setTimeout(resolve, 32_000))

  for (const scheme of SCHEMES) {
    // The conversations, and one open: the popup as it drops down from the toolbar.
    const popup = await view(alice, 'popup/popup.html', scheme, 380, 640)
    await popup.screenshot({ path: `${out}conversations-${scheme}.png` })
    await popup.getByRole('button', { name: /Bob/ }).click()
    await popup.waitForTimeout(300)
    await popup.locator('#conversation').screenshot({ path: `${out}conversation-${scheme}.png` })

    // The contact card, unfolded.
    await popup.getByText('Your contact card', { exact: true }).click()
    await popup.locator('#own-card').waitFor()
    await popup.locator('#card').screenshot({ path: `${out}card-${scheme}.png` })

    // An app using Peerlink, its channel opened read-only.
    await popup.locator('#clients').getByRole('button', { name: 'Messages', exact: true }).click()
    await popup.locator('#channel-view li.message').first().waitFor()
    await popup.locator('#clients').screenshot({ path: `${out}clients-${scheme}.png` })

    const options = await view(alice, 'options/options.html', scheme, 900, 900)
    await options.locator('#connectivity').screenshot({ path: `${out}connectivity-${scheme}.png` })
    await options.screenshot({ path: `${out}options-${scheme}.png`, fullPage: true })
  }

  // The welcome page as a fresh install opens it.
  const fresh = await ExtensionProfile.launch({ name: 'fresh' })
  try {
    for (const scheme of SCHEMES) {
      const welcome = await view(fresh, 'welcome/welcome.html', scheme, 900, 900)
      await welcome.screenshot({ path: `${out}welcome-${scheme}.png`, fullPage: true })
    }
  } finally {
    await fresh.close()
  }

  // The popup in German, as a browser set to German shows it.
  const dora = await ExtensionProfile.launch({ name: 'dora', locale: 'de' })
  try {
    const [, doraId] = await pairUp(relay, alice, dora, ['Alice', 'Dora'])
    await alice.api({ method: 'send', peerId: doraId, text: 'Hallo Dora! Ist der Build durch?', awaitDelivery: true })
    await dora.api({ method: 'send', peerId: aliceId, text: 'Alles grün. Die Zahlen kommen gleich.', awaitDelivery: true })
    const popup = await view(dora, 'popup/popup.html', 'light', 380, 640)
    await popup.getByRole('button', { name: /Alice/ }).click()
    await popup.waitForTimeout(500)
    await popup.screenshot({ path: `${out}popup-de.png` })
  } finally {
    await dora.close()
  }
  console.log(`screenshots written to ${out}`)
} finally {
  await Promise.all([alice.close(), bob.close(), carol.close()])
  await relay.stop()
  rmSync(chat.dir, { recursive: true, force: true })
}
