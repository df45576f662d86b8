/**
 * `npm run screenshots`: makes the README's pictures of the popup and the
 * options page, with a real relay and two browsers, so they can be refreshed
 * whenever the pages change.
 */
import { spawnSync } from 'node:child_process'
import { makePair, pairUp } from '../e2e/fixtures.ts'
import { ExtensionProfile } from '../e2e/support/extension-profile.ts'
import { RelayProcess } from '../e2e/support/relay-process.ts'

const out = new URL('../docs/screenshots/', import.meta.url).pathname
if (spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' }).status !== 0) process.exit(1)

const relay = await RelayProcess.start()
const { alice, bob, aliceId, bobId } = await makePair(relay)
try {
  await alice.api({ method: 'send', peerId: bobId, text: 'Hi Bob! Did the build pass?', awaitDelivery: true })
  await bob.api({ method: 'send', peerId: aliceId, text: 'All green. Sending you the numbers now.', awaitDelivery: true })
  await alice.api({ method: 'send', peerId: bobId, text: 'Great, thanks!', awaitDelivery: true })
  // Let a few round-trip samples come in for the chart.
  await new Promise(resolve => setTimeout(resolve, 32_000))

  for (const scheme of ['light', 'dark'] as const) {
    const popup = await alice.open('popup/popup.html')
    await popup.emulateMedia({ colorScheme: scheme })
    await popup.setViewportSize({ width: 380, height: 640 })
    await popup.getByRole('button', { name: /Bob/ }).click()
    await popup.waitForTimeout(500)
    await popup.screenshot({ path: `${out}popup-${scheme}.png` })

    const options = await alice.open('options/options.html')
    await options.emulateMedia({ colorScheme: scheme })
    await options.setViewportSize({ width: 900, height: 900 })
    await options.waitForTimeout(500)
    await options.screenshot({ path: `${out}options-${scheme}.png`, fullPage: true })
  }
  // The popup in German, as a browser set to German shows it.
  const carol = await ExtensionProfile.launch({ name: 'carol', locale: 'de' })
  try {
    const [, carolId] = await pairUp(relay, alice, carol, ['Alice', 'Carol'])
    await alice.api({ method: 'send', peerId: carolId, text: 'Hallo Carol! Ist der Build durch?', awaitDelivery: true })
    await carol.api({ method: 'send', peerId: aliceId, text: 'Alles grün. Die Zahlen kommen gleich.', awaitDelivery: true })
    const popup = await carol.open('popup/popup.html')
    await popup.setViewportSize({ width: 380, height: 640 })
    await popup.getByRole('button', { name: /Alice/ }).click()
    await popup.waitForTimeout(500)
    await popup.screenshot({ path: `${out}popup-de.png` })
  } finally {
    await carol.close()
  }
  console.log(`screenshots written to ${out}`)
} finally {
  await Promise.all([alice.close(), bob.close()])
  await relay.stop()
}
