/**
 * Streams: one framed stream per peer and what keeps it honest. Length-prefixed
 * frames, keepalive and inactivity, the inbound budget, writes bounded by
 * backpressure, the two-streams tie-break, round trips and the speed test.
 */
export { InboundBudget } from './inbound-budget.ts'
export { type ChannelSink, PeerChannels } from './peer-channels.ts'
export { RttMonitor } from './rtt-monitor.ts'
export { makeSpeedTestHandler, runSpeedTest } from './speed-test.ts'
