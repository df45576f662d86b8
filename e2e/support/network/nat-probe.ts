import type { TransportAddress } from '../../../relay/stun/index.ts'
import { REPO_ROOT, type NetnsLayout } from './netns.ts'
import type { Endpoint } from './stun-client.ts'

export interface Mapping {
  server: Endpoint
  /** The local UDP port the requests left from. */
  local: number
  /** The address and port the server saw: the NAT's mapping. */
  mapped: TransportAddress
}

/**
 * From inside namespace `ns`, sends STUN Binding requests to each server from
 * one local UDP port and answers what each saw. Behind a cone NAT the mapped
 * port is the same for every server; behind a symmetric one it differs.
 */
export async function probeMappings (layout: NetnsLayout, ns: string, servers: Endpoint[], localPort = 0): Promise<Mapping[]> {
  const child = layout.spawn(ns, process.execPath, ['--import', 'tsx', 'e2e/support/network/stun-probe.ts', '--local-port', String(localPort), ...servers.map(s => `${s.host}:${s.port}`)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  if (code !== 0) throw new Error(`stun probe in ${ns} failed (${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`)
  return JSON.parse(stdout) as Mapping[]
}
