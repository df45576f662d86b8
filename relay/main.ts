/**
 * `npm run relay`: a local circuit-relay v2 server for Peerlink.
 *
 *   npm run relay -- [--host 127.0.0.1] [--port 9090] [--key-file .relay-key] [--max-reservations 1024]
 *
 * Prints its multiaddr (put it on the options page) as `relay: <multiaddr>`.
 */
import './polyfills.ts'
import { parseArgs } from 'node:util'
import { startRelay } from './relay.ts'

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: process.env.PEERLINK_RELAY_PORT ?? '9090' },
    'key-file': { type: 'string', default: '.relay-key' },
    'max-reservations': { type: 'string', default: '1024' },
    help: { type: 'boolean', default: false }
  }
})

if (values.help) {
  console.log('usage: npm run relay -- [--host 127.0.0.1] [--port 9090] [--key-file .relay-key] [--max-reservations 1024]\n' +
    'Use --port 0 for any free port, and --key-file "" for a new identity each run.')
  process.exit(0)
}

const port = Number(values.port)
const maxReservations = Number(values['max-reservations'])
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`relay: --port must be 0..65535, got "${values.port}"`)
  process.exit(2)
}
if (!Number.isInteger(maxReservations) || maxReservations < 1) {
  console.error(`relay: --max-reservations must be a positive whole number, got "${values['max-reservations']}"`)
  process.exit(2)
}

const keyFile = values['key-file'] === '' ? undefined : values['key-file']
const node = await startRelay({ host: values.host, port, keyFile, maxReservations })
for (const addr of node.getMultiaddrs()) console.log(`relay: ${addr.toString()}`)

const stop = (): void => {
  void Promise.resolve(node.stop()).finally(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
