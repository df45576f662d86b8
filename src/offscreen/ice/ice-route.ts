/**
 * How the bytes of a WebRTC connection really flow, from the ICE candidate
 * pair the browser selected: a relay candidate on either end means a TURN
 * server carries them; anything else (host, server- or peer-reflexive) is
 * straight between the two browsers.
 */
import type { Connection } from '@libp2p/interface'
import type { Route } from '../../common/model.ts'

/** The fields of one `getStats()` entry that the route is read from. */
export interface IceStats {
  id: string
  type: string
  state?: string
  selected?: boolean
  nominated?: boolean
  selectedCandidatePairId?: string
  localCandidateId?: string
  remoteCandidateId?: string
  candidateType?: string
}

/**
 * The route of the selected candidate pair in one stats report, or undefined
 * while no pair is selected yet. Chromium names the pair on the `transport`
 * entry (`selectedCandidatePairId`), Firefox marks it `selected`; otherwise
 * a nominated pair that succeeded is the one in use.
 */
export function routeFromStats (stats: Iterable<IceStats>): Exclude<Route, 'relay'> | undefined {
  const byId = new Map<string, IceStats>()
  for (const entry of stats) byId.set(entry.id, entry)
  const entries = [...byId.values()]
  const pairs = entries.filter(e => e.type === 'candidate-pair')
  const named = entries.find(e => e.type === 'transport' && e.selectedCandidatePairId != null)?.selectedCandidatePairId
  const pair = (named == null ? undefined : byId.get(named)) ??
    pairs.find(p => p.selected === true) ??
    pairs.find(p => p.nominated === true && p.state === 'succeeded')
  if (pair == null) return undefined
  const ends = [pair.localCandidateId, pair.remoteCandidateId].map(id => id == null ? undefined : byId.get(id))
  return ends.some(c => c?.candidateType === 'relay') ? 'turn' : 'direct'
}

/**
 * The RTCPeerConnection under a libp2p WebRTC connection, when it can be
 * reached. libp2p 3.3.11 keeps the transport's MultiaddrConnection on the
 * connection as `maConn` (dist/src/connection.js, private in its types only),
 * and @libp2p/webrtc 6.0.33 keeps the RTCPeerConnection on that as
 * `peerConnection` (dist/src/rtcpeerconnection-to-conn.js). Nothing public
 * exposes it; this is the one place that reaches in.
 */
export function peerConnectionOf (connection: Connection): RTCPeerConnection | undefined {
  const pc = (connection as unknown as { maConn?: { peerConnection?: unknown } }).maConn?.peerConnection
  return typeof (pc as RTCPeerConnection | undefined)?.getStats === 'function' ? pc as RTCPeerConnection : undefined
}

/** The route of a WebRTC connection from its selected candidate pair; undefined when it cannot be told (yet). */
export async function webRTCRoute (connection: Connection): Promise<Exclude<Route, 'relay'> | undefined> {
  const pc = peerConnectionOf(connection)
  if (pc == null) return undefined
  const entries: IceStats[] = []
  const report = await pc.getStats()
  report.forEach((entry: IceStats) => { entries.push(entry) })
  return routeFromStats(entries)
}
