/**
 * `npm run relay`: a local circuit-relay v2 server for Peerlink, with an
 * optional STUN responder and TURN credentials it offers to the browsers
 * reserved on it (`/peerlink/ice/1.0.0`).
 *
 *   npm run relay -- [--host 127.0.0.1] [--port 9090] [--key-file .relay-key] [--stun-port 3478]
 *                    [--turn-url turn:HOST:3478?transport=udp --turn-secret SECRET] (--help for all)
 *
 * Prints its multiaddr (put it on the options page) as `relay: <multiaddr>`,
 * then `stun: host:port`, `turn: <url> ...`, `limits: ...` and, with
 * `--metrics-port`, `metrics: <url>` lines.
 */
import './polyfills.ts'
import { parseRelayFlags, RelayFlagError, USAGE, type RelayConfig } from './flags.ts'
import { AllowListError } from './allowed-peers.ts'
import { runRelay } from './run.ts'

let config: RelayConfig | 'help'
try {
  config = parseRelayFlags(process.argv.slice(2), process.env)
} catch (err) {
  if (!(err instanceof RelayFlagError)) throw err
  console.error(`relay: ${err.message}`)
  process.exit(2)
}
if (config === 'help') {
  console.log(USAGE)
  process.exit(0)
}

const relay = await runRelay(config).catch((err: unknown) => {
  if (!(err instanceof AllowListError)) throw err
  console.error(`relay: ${err.message}`)
  process.exit(2)
})
for (const line of relay.describe()) console.log(line)

const stop = (): void => {
  void relay.stop().finally(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
