import type { Counters } from './model.ts'

/** All counters at zero. */
export const freshCounters = (): Counters => ({
  malformedFrames: 0, oversizeFrames: 0, farAheadFrames: 0, refusedPeers: 0, refusedOverLimit: 0, tornDownOverLimit: 0, stuckStreams: 0, protocolErrors: 0, floodedStreams: 0, mailboxReceived: 0, mailboxRejected: 0, refusedAddresses: 0
})
