/**
 * What a browser can do with WebRTC, judged from the ICE candidates it
 * gathered, as the WebRTC trickle-ICE sample reads them: a server-reflexive
 * candidate means STUN got through the NAT; a relay candidate alone means
 * only TURN will carry the bytes; host candidates alone reach only peers on
 * the same network; nothing means no connection at all.
 */
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay'

/**
 * stun: peers behind NATs, directly, through STUN; turn: only through a TURN
 * server; local: only peers on the same network; none: no connection at all.
 */
export type Reach = 'stun' | 'turn' | 'local' | 'none'

export interface IceVerdict {
  reach: Reach
  /** How many candidates of each type were found. */
  counts: Record<CandidateType, number>
  /** A TURN server answered too: the fallback where STUN is not enough. */
  turnFallback: boolean
}

const TYPES: readonly CandidateType[] = ['host', 'srflx', 'prflx', 'relay']

/** The type of an ICE candidate from its SDP line (`… typ srflx …`), or undefined when it has none. */
export function candidateTypeOf (candidate: string): CandidateType | undefined {
  const type = / typ (\S+)/.exec(candidate)?.[1]
  return TYPES.find(t => t === type)
}

/** Judges what the gathered candidates let this browser do. */
export function iceVerdict (types: Iterable<CandidateType>): IceVerdict {
  const counts: Record<CandidateType, number> = { host: 0, srflx: 0, prflx: 0, relay: 0 }
  for (const type of types) counts[type] += 1
  // A peer-reflexive address is one a STUN exchange revealed, as good as server-reflexive.
  const reach: Reach = counts.srflx + counts.prflx > 0
    ? 'stun'
    : counts.relay > 0 ? 'turn' : counts.host > 0 ? 'local' : 'none'
  return { reach, counts, turnFallback: reach === 'stun' && counts.relay > 0 }
}
