import type { Page } from '@playwright/test'

/**
 * A bare RTCDataChannel between pages of two browser profiles, signalled by
 * the harness: the physical limit the other layers are compared with.
 */
export interface RawChannel {
  throughputMBps: (messageBytes: number, totalBytes: number) => Promise<number>
  roundTripsMs: (messageBytes: number, count: number) => Promise<number[]>
}

type BenchWindow = typeof globalThis & { benchPc: RTCPeerConnection, benchDc: RTCDataChannel }

export async function openRawChannel (a: Page, b: Page): Promise<RawChannel> {
  const offer = await a.evaluate(async () => {
    const w = globalThis as BenchWindow
    const pc = new RTCPeerConnection({ iceServers: [] })
    w.benchPc = pc
    w.benchDc = pc.createDataChannel('bench', { ordered: true })
    w.benchDc.binaryType = 'arraybuffer'
    await pc.setLocalDescription(await pc.createOffer())
    // All candidates in the SDP: the harness passes it over once.
    await new Promise<void>(resolve => {
      if (pc.iceGatheringState === 'complete') resolve()
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() })
    })
    return pc.localDescription!.sdp
  })
  const answer = await b.evaluate(async (offer) => {
    const w = globalThis as BenchWindow
    const pc = new RTCPeerConnection({ iceServers: [] })
    w.benchPc = pc
    pc.addEventListener('datachannel', (event) => {
      const dc = event.channel
      dc.binaryType = 'arraybuffer'
      w.benchDc = dc
      // Echo small messages; count large ones and answer "done" with the total.
      let counted = 0
      let expected = Infinity
      dc.addEventListener('message', (m) => {
        if (typeof m.data === 'string') {
          expected = Number(m.data)
          counted = 0
          return
        }
        const bytes = (m.data as ArrayBuffer).byteLength
        if (expected === Infinity) { dc.send(m.data as ArrayBuffer); return }
        counted += bytes
        if (counted >= expected) { dc.send('done'); expected = Infinity }
      })
    })
    await pc.setRemoteDescription({ type: 'offer', sdp: offer })
    await pc.setLocalDescription(await pc.createAnswer())
    await new Promise<void>(resolve => {
      if (pc.iceGatheringState === 'complete') resolve()
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() })
    })
    return pc.localDescription!.sdp
  }, offer)
  await a.evaluate(async (sdp) => {
    const w = globalThis as BenchWindow
    await w.benchPc.setRemoteDescription({ type: 'answer', sdp })
    if (w.benchDc.readyState !== 'open') await new Promise(resolve => w.benchDc.addEventListener('open', resolve, { once: true }))
  }, answer)

  return {
    async throughputMBps (messageBytes, totalBytes) {
      return await a.evaluate(async ({ messageBytes, totalBytes }) => {
        const dc = (globalThis as BenchWindow).benchDc
        dc.bufferedAmountLowThreshold = 1024 * 1024
        const chunk = new Uint8Array(messageBytes).fill(7)
        const done = new Promise(resolve => {
          const onDone = (m: MessageEvent): void => { if (m.data === 'done') { dc.removeEventListener('message', onDone); resolve(undefined) } }
          dc.addEventListener('message', onDone)
        })
        dc.send(String(totalBytes))
        const started = performance.now()
        for (let sent = 0; sent < totalBytes; sent += messageBytes) {
          if (dc.bufferedAmount > 4 * 1024 * 1024) await new Promise(resolve => dc.addEventListener('bufferedamountlow', resolve, { once: true }))
          dc.send(chunk)
        }
        await done
        return totalBytes / 1e6 / ((performance.now() - started) / 1000)
      }, { messageBytes, totalBytes })
    },
    async roundTripsMs (messageBytes, count) {
      return await a.evaluate(async ({ messageBytes, count }) => {
        const dc = (globalThis as BenchWindow).benchDc
        const chunk = new Uint8Array(messageBytes).fill(1)
        const times: number[] = []
        for (let i = 0; i < count; i++) {
          const started = performance.now()
          const echoed = new Promise(resolve => dc.addEventListener('message', resolve, { once: true }))
          dc.send(chunk)
          await echoed
          times.push(performance.now() - started)
        }
        return times
      }, { messageBytes, count })
    }
  }
}
