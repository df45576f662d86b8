/**
 * A small Internet in network namespaces, for end-to-end tests of NAT
 * traversal: two home networks, each behind its own NAT router that drops
 * unsolicited inbound packets, and an "internet" segment where the relay and
 * coturn run.
 *
 *   home 1 (10.201.1.2) ─ router 1 ─ 198.18.0.11 ┐
 *                                                ├─ internet bridge: 198.18.0.1 (relay, STUN, TURN)
 *   home 2 (10.201.2.2) ─ router 2 ─ 198.18.0.12 ┘
 *
 * Every address exists only inside these namespaces, and none of them is
 * connected to the machine's own network: the routers have no default route
 * and forward only towards 198.18.0.0/24, and each namespace gets an empty
 * resolv.conf, so nothing a test runs here can send a packet anywhere else.
 */
import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** cone: MASQUERADE keeps a flow's source port (port-restricted cone). symmetric: `--random-fully`, a new port per destination. */
export type NatKind = 'cone' | 'symmetric'

export type NetnsSupport = { ok: true } | { ok: false, reason: string }

export interface Home {
  /** The namespace the home's computer (its browser) runs in. */
  ns: string
  /** The NAT router's namespace. */
  router: string
  /** The computer's address on its home network. */
  address: string
  /** The router's address on the internet segment: what STUN reports for this home. */
  wanAddress: string
  nat: NatKind
}

export interface NetnsLayout {
  /** Unique to this run: `<prefix><pid>-<random>`. */
  readonly id: string
  readonly internet: { ns: string, address: string, subnet: string }
  readonly homes: readonly [Home, Home]
  /**
   * Starts a process inside namespace `ns` (stdout and stderr are pipes unless
   * `options.stdio` says otherwise: read them); teardown() ends it if still running.
   */
  spawn: (ns: string, command: string, args: string[], options?: SpawnOptions) => ChildProcess
  /** Runs a command inside namespace `ns` to its end; rejects with NetnsError on a non-zero exit. */
  exec: (ns: string, command: string, args: string[]) => Promise<{ stdout: string, stderr: string }>
  /** An executable that runs Chromium inside `ns`: give it to Playwright as `executablePath`. */
  chromiumWrapper: (ns: string, chromium?: string) => string
  /** Ends every process in the namespaces and removes everything the layout made; safe to call twice. */
  teardown: () => Promise<void>
}

export interface LayoutOptions {
  /** One kind for both homes, or one each. Default: cone. */
  nat?: NatKind | readonly [NatKind, NatKind]
  /** Namespace names start with it; stale ones from crashed runs are found by it. Default `pl-`. */
  prefix?: string
}

/** A command that builds or tears down the layout failed. */
export class NetnsError extends Error {
  override readonly name = 'NetnsError'
  constructor (readonly command: string, readonly stderr: string) {
    super(`${command}: ${stderr.trim().split('\n')[0] ?? 'failed'}`)
  }
}

export const INTERNET_SUBNET = '198.18.0.0/24'
export const INTERNET_ADDRESS = '198.18.0.1'
const DEFAULT_PREFIX = 'pl-'
const NETNS_ETC = '/etc/netns'
/** What each layout not yet torn down would leave behind, removable synchronously at process exit. */
const live = new Map<string, () => void>()
let exitHookInstalled = false

/**
 * Whether this machine can build the layout: root, `ip`, `iptables` and
 * `turnserver` present, and a namespace with NAT rules can really be made.
 */
export function netnsSupport (): NetnsSupport {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' }
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root' }
  if (!succeeds('ip', ['-V'])) return { ok: false, reason: 'no `ip` command (Debian: apt-get install -y iproute2)' }
  if (!succeeds('iptables', ['-V'])) return { ok: false, reason: 'no `iptables` (Debian: apt-get install -y iptables)' }
  if (!succeeds('turnserver', ['--version'])) return { ok: false, reason: 'no `turnserver` (Debian: apt-get install -y coturn)' }
  const probe = `${DEFAULT_PREFIX}${process.pid}-probe`
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' })
    execFileSync('ip', ['netns', 'exec', probe, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'lo', '-j', 'MASQUERADE', '--random-fully'], { stdio: 'pipe' })
    return { ok: true }
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n')[0] ?? String(err)
    return { ok: false, reason: `cannot make a network namespace with NAT rules here: ${detail}` }
  } finally {
    if (succeeds('ip', ['netns', 'pids', probe])) execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore' })
  }
}

/**
 * Removes namespaces (and their resolv.conf and wrapper folders) left by runs
 * whose process is gone, found by `prefix`; answers the names removed.
 * Those of a run still going (its pid is alive) are left alone.
 */
export function removeStaleNamespaces (prefix = DEFAULT_PREFIX): string[] {
  const stale = listNamespaces().filter(ns => ns.startsWith(prefix) && !isAlive(ownerPid(ns.slice(prefix.length))))
  for (const ns of stale) deleteNamespaceSync(ns)
  for (const dir of safeReaddir(NETNS_ETC)) {
    if (dir.startsWith(prefix) && !isAlive(ownerPid(dir.slice(prefix.length)))) rmSync(join(NETNS_ETC, dir), { recursive: true, force: true })
  }
  for (const dir of safeReaddir(tmpdir())) {
    const rest = dir.startsWith('peerlink-netns-') ? dir.slice('peerlink-netns-'.length) : undefined
    if (rest != null && !isAlive(ownerPid(rest))) rmSync(join(tmpdir(), dir), { recursive: true, force: true })
  }
  return stale
}

/** Builds the two-homes-and-the-internet layout; on any failure removes what it had made and rethrows. */
export async function createNetworkLayout (options: LayoutOptions = {}): Promise<NetnsLayout> {
  const prefix = options.prefix ?? DEFAULT_PREFIX
  removeStaleNamespaces(prefix)
  const [nat1, nat2] = typeof options.nat === 'string' || options.nat == null ? [options.nat ?? 'cone', options.nat ?? 'cone'] : options.nat
  const id = `${prefix}${process.pid}-${randomBytes(2).toString('hex')}`
  const internet = { ns: `${id}-inet`, address: INTERNET_ADDRESS, subnet: INTERNET_SUBNET }
  const homes: [Home, Home] = [
    { ns: `${id}-h1`, router: `${id}-r1`, address: '10.201.1.2', wanAddress: '198.18.0.11', nat: nat1 },
    { ns: `${id}-h2`, router: `${id}-r2`, address: '10.201.2.2', wanAddress: '198.18.0.12', nat: nat2 }
  ]
  const namespaces = [internet.ns, ...homes.flatMap(h => [h.router, h.ns])]
  const children = new Set<ChildProcess>()
  const wrapperDir = mkdtempSync(join(tmpdir(), `peerlink-netns-${process.pid}-`))
  let tornDown = false
  const removeSync = (): void => {
    for (const child of children) child.kill('SIGKILL')
    for (const ns of namespaces) deleteNamespaceSync(ns)
    rmSync(wrapperDir, { recursive: true, force: true })
  }

  const layout: NetnsLayout = {
    id,
    internet,
    homes,
    spawn: (ns, command, args, spawnOptions = {}) => {
      const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions })
      children.add(child)
      child.once('exit', () => children.delete(child))
      return child
    },
    exec: async (ns, command, args) => await sh('ip', ['netns', 'exec', ns, command, ...args]),
    chromiumWrapper: (ns, chromium = '/usr/bin/chromium') => {
      const path = join(wrapperDir, `chromium-${ns}`)
      // Playwright talks to Chromium over pipes, which pass through `ip netns exec` untouched.
      writeFileSync(path, `#!/bin/sh\n# Chromium inside network namespace ${ns}.\nexec ip netns exec '${ns}' '${chromium.replaceAll("'", "'\\''")}' "$@"\n`)
      chmodSync(path, 0o755)
      return path
    },
    teardown: async () => {
      if (tornDown) return
      tornDown = true
      live.delete(id)
      await Promise.all([...children].map(endChild))
      removeSync()
    }
  }
  live.set(id, removeSync)
  installExitHook()

  try {
    for (const ns of namespaces) await addNamespace(ns)
    await buildInternet(internet.ns)
    for (const [i, home] of homes.entries()) await buildHome(internet.ns, home, i + 1)
  } catch (err) {
    await layout.teardown()
    throw err
  }
  return layout
}

async function addNamespace (ns: string): Promise<void> {
  await sh('ip', ['netns', 'add', ns])
  // Without a resolver nothing inside tries to reach the machine's DNS server (`ip netns exec` mounts this over /etc/resolv.conf).
  mkdirSync(join(NETNS_ETC, ns), { recursive: true })
  writeFileSync(join(NETNS_ETC, ns, 'resolv.conf'), '# no DNS: only the test\'s namespaces are reachable\n')
  await inNs(ns, 'ip', 'link', 'set', 'lo', 'up')
  // IPv4 only: no IPv6 link-local chatter, and ICE sees the layout under test and nothing else.
  await inNs(ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1')
  await inNs(ns, 'sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1')
}

async function buildInternet (ns: string): Promise<void> {
  await inNs(ns, 'ip', 'link', 'add', 'br0', 'type', 'bridge')
  await inNs(ns, 'ip', 'addr', 'add', `${INTERNET_ADDRESS}/24`, 'dev', 'br0')
  await inNs(ns, 'ip', 'link', 'set', 'br0', 'up')
}

async function buildHome (internetNs: string, home: Home, n: number): Promise<void> {
  const lanGateway = `10.201.${n}.1`
  // Each veth pair is created straight into its two namespaces, so no name ever exists on the machine itself.
  await sh('ip', ['link', 'add', 'wan', 'netns', home.router, 'type', 'veth', 'peer', 'name', `r${n}`, 'netns', internetNs])
  await sh('ip', ['link', 'add', 'lan', 'netns', home.router, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', home.ns])
  await inNs(internetNs, 'ip', 'link', 'set', `r${n}`, 'master', 'br0')
  await inNs(internetNs, 'ip', 'link', 'set', `r${n}`, 'up')

  await inNs(home.router, 'ip', 'addr', 'add', `${home.wanAddress}/24`, 'dev', 'wan')
  await inNs(home.router, 'ip', 'addr', 'add', `${lanGateway}/24`, 'dev', 'lan')
  await inNs(home.router, 'ip', 'link', 'set', 'wan', 'up')
  await inNs(home.router, 'ip', 'link', 'set', 'lan', 'up')
  await inNs(home.router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1')
  const ipt = async (...args: string[]): Promise<void> => { await inNs(home.router, 'iptables', '-w', ...args) }
  // Out: only towards the internet segment. In: only what answers a flow from inside.
  await ipt('-P', 'FORWARD', 'DROP')
  await ipt('-A', 'FORWARD', '-i', 'lan', '-o', 'wan', '-d', INTERNET_SUBNET, '-j', 'ACCEPT')
  await ipt('-A', 'FORWARD', '-i', 'wan', '-o', 'lan', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT')
  await ipt('-A', 'FORWARD', '-i', 'wan', '-j', 'DROP') // counted on its own: unsolicited inbound
  await ipt('-P', 'INPUT', 'DROP')
  await ipt('-A', 'INPUT', '-i', 'lo', '-j', 'ACCEPT')
  await ipt('-A', 'INPUT', '-i', 'lan', '-j', 'ACCEPT')
  await ipt('-A', 'INPUT', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT')
  await ipt('-A', 'INPUT', '-i', 'wan', '-j', 'DROP')
  await ipt('-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE', ...(home.nat === 'symmetric' ? ['--random-fully'] : []))

  await inNs(home.ns, 'ip', 'addr', 'add', `${home.address}/24`, 'dev', 'eth0')
  await inNs(home.ns, 'ip', 'link', 'set', 'eth0', 'up')
  await inNs(home.ns, 'ip', 'route', 'add', 'default', 'via', lanGateway)
}

async function inNs (ns: string, command: string, ...args: string[]): Promise<void> {
  await sh('ip', ['netns', 'exec', ns, command, ...args])
}

async function sh (command: string, args: string[]): Promise<{ stdout: string, stderr: string }> {
  try {
    return await run(command, args, { encoding: 'utf8' })
  } catch (err) {
    throw new NetnsError(`${command} ${args.join(' ')}`, (err as { stderr?: string }).stderr ?? String(err))
  }
}

async function endChild (child: ChildProcess): Promise<void> {
  if (child.exitCode != null || child.signalCode != null) return
  const exited = new Promise<void>(resolve => child.once('exit', () => { resolve() }))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

/** Ends whatever still runs inside `ns` (a browser started through the wrapper, say), then removes it. */
function deleteNamespaceSync (ns: string): void {
  const pids = (tryExec('ip', ['netns', 'pids', ns]) ?? '').split('\n').map(Number).filter(pid => pid > 0 && pid !== process.pid)
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ } }
  tryExec('ip', ['netns', 'del', ns])
  rmSync(join(NETNS_ETC, ns), { recursive: true, force: true })
}

function installExitHook (): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // A test runner that exits without teardown (a thrown fixture, a timeout) still leaves nothing behind.
  process.once('exit', () => {
    for (const removeSync of live.values()) removeSync()
  })
}

function listNamespaces (): string[] {
  return (tryExec('ip', ['netns', 'list']) ?? '').split('\n').map(line => line.split(' ')[0] ?? '').filter(name => name !== '')
}

/** The pid in `<pid>-...`, or undefined. */
function ownerPid (rest: string): number | undefined {
  const pid = Number(/^(\d+)-/.exec(rest)?.[1])
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

function isAlive (pid: number | undefined): boolean {
  if (pid == null) return true // not one of ours by its name: leave it
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  // A run killed a moment ago can still be a zombie its parent has not reaped: that one is gone too.
  const stat = safeRead(`/proc/${pid}/stat`)
  return stat == null || !/^\d+ \(.*\) Z/.test(stat)
}

function safeRead (path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

function succeeds (command: string, args: string[]): boolean {
  return tryExec(command, args) != null
}

function tryExec (command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch {
    return undefined
  }
}

function safeReaddir (dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

/** This repository's root, for running its scripts inside a namespace (`node --import tsx relay/main.ts`). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..')
