import { candidateTypeOf, type CandidateType } from '../ui/ice-verdict.ts'

/**
 * Gathers this browser's ICE candidates with `iceServers`, as the WebRTC
 * trickle-ICE sample does (an offer with one data channel, no peer), and
 * answers their types. Ends when gathering completes, after `timeoutMs`
 * (an unreachable STUN server is only given up after many seconds), or on
 * `signal`; what was found by then is the answer.
 */
export async function gatherCandidateTypes (iceServers: RTCIceServer[], timeoutMs: number, signal: AbortSignal): Promise<CandidateType[]> {
  const pc = new RTCPeerConnection({ iceServers })
  const types: CandidateType[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const gathered = new Promise<void>((resolve) => {
      pc.addEventListener('icecandidate', (event) => {
        if (event.candidate == null) { resolve(); return }
        const type = candidateTypeOf(event.candidate.candidate)
        if (type != null) types.push(type)
      })
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() })
      timer = setTimeout(resolve, timeoutMs)
      signal.addEventListener('abort', () => { resolve() }, { once: true })
    })
    pc.createDataChannel('peerlink-check')
    await pc.setLocalDescription(await pc.createOffer())
    await gathered
    return types
  } finally {
    clearTimeout(timer)
    pc.close()
  }
}
