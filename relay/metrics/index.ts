/**
 * Metrics: what the operator watches. Prometheus text on `/metrics` (libp2p's
 * own figures and the relay's: reservations, refusals by cause, STUN, ICE
 * offers, the mailbox) and `/healthz`, on a port bound to loopback by
 * default; and the log that says what was refused, a line per cause a minute.
 */
export { MetricsBindError, startMetricsServer, type MetricsServer, type MetricsServerOptions } from './metrics-server.ts'
export { registerRelayFigures, type RelayFigureSources } from './relay-figures.ts'
export { REFUSAL_LOG_INTERVAL_MS, RefusalLog } from './refusal-log.ts'
