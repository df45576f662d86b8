/**
 * `npm start`: builds the extension, starts the local relay and opens two
 * Chromium profiles, Alice and Bob, each with Peerlink loaded, the relay
 * configured and the other as a contact, so messages flow at once.
 *
 * `npm start -- --headless` does the same without windows, runs a short
 * scripted exchange, prints the transcript and exits.
 */
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { ExtensionProfile } from '../e2e/support/extension-profile.ts'
import { RelayProcess } from '../e2e/support/relay-process.ts'

const { values } = parseArgs({
  options: {
    headless: { type: 'boolean', default: false },
    port: { type: 'string', default: '9090' }
  }
})

const say = (line: string): void => { console.log(`peerlink: ${line}`) }

say('building the extension…')
if (spawnSync('node', ['scripts/build.mjs', '--logLevel', 'warn'], { stdio: 'inherit' }).status !== 0) process.exit(1)

const headless = values.headless || (process.platform === 'linux' && process.env.DISPLAY == null && process.env.WAYLAND_DISPLAY == null)
if (headless && !values.headless) say('no display found: running headless')

// The relay keeps mail for whoever of the two is offline (its data directory beside the key).
const relayOptions = { args: ['--data-dir', '.relay-data'] }
const relay = await RelayProcess.start(Number(values.port), '.relay-key', relayOptions).catch(async () => await RelayProcess.start(0, '.relay-key', relayOptions))
say(`relay listening at ${relay.address}`)

const [alice, bob] = await Promise.all([
  ExtensionProfile.launch({ name: 'alice', headless }),
  ExtensionProfile.launch({ name: 'bob', headless })
])
await Promise.all([alice.useRelay(relay.address), bob.useRelay(relay.address)])
const aliceId = (await alice.status()).peerId!
const bobId = (await bob.status()).peerId!
await alice.api({ method: 'addPeer', peerId: bobId, name: 'Bob' })
await bob.api({ method: 'addPeer', peerId: aliceId, name: 'Alice' })
say(`Alice is ${aliceId}`)
say(`Bob   is ${bobId}`)

const shutdown = async (): Promise<void> => {
  await Promise.allSettled([alice.close(), bob.close()])
  await relay.stop()
}

if (headless) {
  const script: Array<[ExtensionProfile, string, string, string]> = [
    [alice, 'Alice', bobId, 'Hello Bob! Peerlink here.'],
    [bob, 'Bob', aliceId, 'Hi Alice, loud and clear.'],
    [alice, 'Alice', bobId, 'This went straight between our browsers.'],
    [bob, 'Bob', aliceId, 'Encrypted, and acknowledged. Bye!']
  ]
  let failed = false
  for (const [from, name, to, text] of script) {
    const started = performance.now()
    try {
      const result = await from.api({ method: 'send', peerId: to, text, awaitDelivery: true })
      console.log(`${name.padEnd(5)} → ${text}   [${result.state} in ${Math.round(performance.now() - started)} ms]`)
    } catch (err) {
      failed = true
      console.log(`${name.padEnd(5)} → ${text}   [FAILED: ${(err as Error).message}]`)
    }
  }
  const peer = (await alice.status()).peers.find(p => p.peerId === bobId)
  say(`connection: ${peer?.connection?.transport ?? 'none'}${peer?.connection?.direct === true ? ' (direct)' : ''}`)
  await shutdown()
  process.exit(failed ? 1 : 0)
} else {
  await Promise.all([alice.open('popup/popup.html'), bob.open('popup/popup.html')])
  say('two browsers are open: write in either window. Press Ctrl+C to stop.')
  process.on('SIGINT', () => { void shutdown().then(() => process.exit(0)) })
}
