/**
 * `node --import tsx e2e/support/network/stun-probe.ts [--local-port N] HOST:PORT...`:
 * sends a STUN Binding request to each server from one UDP socket and prints
 * one JSON line, the mapped address each server saw. Run inside a test's
 * namespace to see what a NAT does to one local port (see nat-probe.ts).
 */
import { parseArgs } from 'node:util'
import { openUdpSocket, stunBinding, type Endpoint } from './stun-client.ts'

const { values, positionals } = parseArgs({ options: { 'local-port': { type: 'string', default: '0' } }, allowPositionals: true })
const servers: Endpoint[] = positionals.map((text) => {
  const match = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(text)
  if (match == null) throw new Error(`stun-probe: servers are IPv4:port, got "${text}"`)
  return { host: match[1]!, port: Number(match[2]) }
})
const socket = await openUdpSocket(Number(values['local-port']))
try {
  const results = []
  for (const server of servers) results.push({ server, local: socket.address().port, mapped: await stunBinding(socket, server) })
  console.log(JSON.stringify(results))
} finally {
  socket.close()
}
