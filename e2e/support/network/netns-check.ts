/**
 * `sudo npx tsx e2e/support/network/netns-check.ts`: builds the NAT layout, runs the
 * relay (with its STUN responder) and coturn on the internet segment, and
 * prints what a home sees: the relay's port, its NAT's mapping, a symmetric
 * NAT's changing ports, unsolicited packets dropped, and Chromium working
 * through the wrapper. Removes everything when done. A check of the harness
 * by hand, and an example of its API; not part of `npm test`.
 */
import { execFile, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startCoturn } from './coturn.ts'
import { probeMappings } from './nat-probe.ts'
import { createNetworkLayout, netnsSupport, REPO_ROOT, type NetnsLayout } from './netns.ts'

const STUN_PORT = 3478
const TURN_PORT = 3479
const RELAY_PORT = 9090
const HTTP_PORT = 8080

const support = netnsSupport()
if (!support.ok) {
  console.log(`netns-check: cannot run here: ${support.reason}`)
  process.exit(0)
}

const layout = await createNetworkLayout({ nat: ['cone', 'symmetric'] })
const [cone, symmetric] = layout.homes
const inet = layout.internet
let failed = false
const check = (ok: boolean, what: string): void => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`)
  if (!ok) failed = true
}
const site = mkdtempSync(join(tmpdir(), 'peerlink-site-'))
try {
  console.log(`layout ${layout.id}: internet ${inet.address} (${inet.ns}); home 1 ${cone.address} behind ${cone.wanAddress} (${cone.nat}); home 2 ${symmetric.address} behind ${symmetric.wanAddress} (${symmetric.nat})`)

  const relay = layout.spawn(inet.ns, process.execPath, ['--import', 'tsx', 'relay/main.ts', '--host', inet.address, '--port', String(RELAY_PORT),
    '--key-file', '', '--stun-port', String(STUN_PORT), '--turn-url', `turn:${inet.address}:${TURN_PORT}?transport=udp`, '--turn-secret', 'netns-check'], { cwd: REPO_ROOT })
  const relayOutput = await waitForLine(relay, /^limits: /m, 30_000)
  console.log(relayOutput.trim().split('\n').map(l => `  ${l}`).join('\n'))
  const coturn = await startCoturn({ ip: inet.address, port: TURN_PORT, secret: 'netns-check', spawnIn: (cmd, args) => layout.spawn(inet.ns, cmd, args) })
  console.log(`  coturn: ${coturn.url} (pid ${coturn.pid})`)

  // (a) The relay's WebSocket port answers from a home, through its NAT.
  const http = await sh(layout, cone.ns, 'curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', `http://${inet.address}:${RELAY_PORT}/`])
  check(/^\d{3}$/.test(http) && http !== '000', `(a) home 1 reaches the relay's port ${inet.address}:${RELAY_PORT} over TCP (HTTP ${http} from the WebSocket server)`)

  // (b) STUN from a home reports the router's WAN address.
  const [mapped] = await probeMappings(layout, cone.ns, [{ host: inet.address, port: STUN_PORT }], 40000)
  check(mapped?.mapped.address === cone.wanAddress, `(b) home 1 local port 40000 -> relay STUN sees ${mapped?.mapped.address}:${mapped?.mapped.port} (router WAN ${cone.wanAddress})`)

  // (c) One local port, two server ports: cone keeps one mapping, symmetric makes two.
  const servers = [{ host: inet.address, port: STUN_PORT }, { host: inet.address, port: TURN_PORT }]
  const coneMaps = await probeMappings(layout, cone.ns, servers, 40001)
  const symMaps = await probeMappings(layout, symmetric.ns, servers, 40001)
  const ports = (maps: typeof coneMaps): string => maps.map(m => `${m.server.port}->${m.mapped.address}:${m.mapped.port}`).join(', ')
  check(coneMaps[0]?.mapped.port === coneMaps[1]?.mapped.port, `(c) cone home 1, local 40001: ${ports(coneMaps)} (same mapped port)`)
  check(symMaps[0]?.mapped.port !== symMaps[1]?.mapped.port && symMaps.every(m => m.mapped.address === symmetric.wanAddress),
    `(c) symmetric home 2, local 40001: ${ports(symMaps)} (different mapped ports)`)

  // (d) Unsolicited inbound UDP is dropped: at the router's own address, and routed towards the home itself.
  const listener = layout.spawn(cone.ns, process.execPath, ['-e',
    "const s=require('dgram').createSocket('udp4');s.on('message',m=>console.log('GOT '+m));s.bind(5555,()=>console.log('listening'))"])
  await waitForLine(listener, /listening/, 10_000)
  let received = ''
  listener.stdout?.on('data', (chunk: Buffer) => { received += chunk.toString() })
  const before = await dropCounters(layout, cone.router)
  await sh(layout, inet.ns, 'ip', ['route', 'add', '10.201.1.0/24', 'via', cone.wanAddress])
  await sh(layout, inet.ns, 'bash', ['-c', `echo to-wan > /dev/udp/${cone.wanAddress}/5555; echo to-home > /dev/udp/${cone.address}/5555`])
  await new Promise(resolve => setTimeout(resolve, 500))
  const after = await dropCounters(layout, cone.router)
  check(received === '' && after.input > before.input && after.forward > before.forward,
    `(d) from the internet to ${cone.wanAddress}:5555 and ${cone.address}:5555: nothing arrived; router 1 drops INPUT ${before.input}->${after.input}, FORWARD ${before.forward}->${after.forward}`)

  // (e) What a browser behind the symmetric NAT gets from its relay: STUN and a TURN credential coturn accepts.
  const relayAddress = /^relay: (\S+)$/m.exec(relayOutput)?.[1] ?? ''
  const probe = layout.spawn(symmetric.ns, process.execPath, ['--import', 'tsx', 'e2e/support/network/ice-probe.ts', relayAddress], { cwd: REPO_ROOT })
  const ice = JSON.parse((await waitForLine(probe, /^\{.*\}$/m, 30_000)).trim().split('\n').pop() ?? '{}') as {
    offer?: { servers: Array<{ urls: string[], username?: string }> }, stunMapped?: { address: string, port: number }, turnRelayed?: { address: string, port: number }
  }
  const turnUser = ice.offer?.servers.find(s => s.username != null)?.username
  check(ice.stunMapped?.address === symmetric.wanAddress && ice.turnRelayed?.address === inet.address,
    `(e) home 2 reserved on the relay and got ${ice.offer?.servers.map(s => s.urls.join(' ')).join(', ')}; STUN saw ${ice.stunMapped?.address}:${ice.stunMapped?.port}; ` +
    `coturn accepted ${turnUser} and relays from ${ice.turnRelayed?.address}:${ice.turnRelayed?.port}`)

  // Chromium inside a home, through the wrapper, loads a page served on the internet segment.
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>netns</title><p id="x">served on the internet segment</p>\n')
  const server = layout.spawn(inet.ns, 'python3', ['-u', '-m', 'http.server', String(HTTP_PORT), '--bind', inet.address, '--directory', site])
  await waitForLine(server, /Serving HTTP/, 10_000)
  const dom = await run(layout.chromiumWrapper(cone.ns), ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    `--user-data-dir=${join(site, 'profile')}`, '--dump-dom', `http://${inet.address}:${HTTP_PORT}/`])
  check(dom.includes('served on the internet segment'), `Chromium in ${cone.ns} via ${layout.chromiumWrapper(cone.ns)}: ${dom.match(/<p id="x">[^<]*<\/p>/)?.[0] ?? dom.slice(0, 200)}`)
  await coturn.stop()
} finally {
  await layout.teardown()
  rmSync(site, { recursive: true, force: true })
}
console.log(failed ? 'netns-check: FAILED' : 'netns-check: all good; namespaces removed')
process.exit(failed ? 1 : 0)

async function waitForLine (child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  let output = ''
  return await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)) }, timeoutMs)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      if (pattern.test(output)) { clearTimeout(timer); resolve(output) }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code}:\n${output}`)) })
  })
}

async function sh (layout: NetnsLayout, ns: string, command: string, args: string[]): Promise<string> {
  return (await layout.exec(ns, command, args)).stdout.trim()
}

async function run (command: string, args: string[]): Promise<string> {
  return (await promisify(execFile)(command, args, { encoding: 'utf8', timeout: 60_000 })).stdout
}

/** Packets counted by the router's explicit `-i wan -j DROP` rules. */
async function dropCounters (layout: NetnsLayout, router: string): Promise<{ input: number, forward: number }> {
  const count = async (chain: string): Promise<number> => {
    const rules = await sh(layout, router, 'iptables', ['-w', '-L', chain, '-v', '-n', '-x'])
    const line = rules.split('\n').find(l => /\bDROP\b/.test(l) && /\bwan\b/.test(l))
    return Number(line?.trim().split(/\s+/)[0] ?? NaN)
  }
  return { input: await count('INPUT'), forward: await count('FORWARD') }
}
