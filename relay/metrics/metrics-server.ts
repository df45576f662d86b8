/**
 * The relay's HTTP face for its operator: Prometheus text on `/metrics` and a
 * liveness answer on `/healthz`. It listens on loopback unless told otherwise:
 * the figures say how busy the relay is and are no one else's business.
 */
import { createServer, type Server } from 'node:http'
import type { Registry } from 'prom-client'

export interface MetricsServerOptions {
  host: string
  /** 0 takes any free port. */
  port: number
  registry: Registry
  /** Whether the relay serves: `/healthz` answers 200 while it does, 503 otherwise. */
  healthy: () => boolean
}

export interface MetricsServer {
  readonly host: string
  readonly port: number
  close: () => Promise<void>
}

/** The metrics port could not be opened. */
export class MetricsBindError extends Error {
  override readonly name = 'MetricsBindError'
  constructor (readonly host: string, readonly port: number, cause: unknown) {
    super(`metrics: cannot listen on tcp ${host}:${port}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
}

/** Serves `/metrics` and `/healthz` on host:port. */
export async function startMetricsServer (options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://relay').pathname
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    if (path === '/healthz') {
      const ok = options.healthy()
      response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'stopping\n')
      return
    }
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n')
      return
    }
    options.registry.metrics().then(
      text => { response.writeHead(200, { 'content-type': options.registry.contentType }).end(text) },
      (err: unknown) => { response.writeHead(500, { 'content-type': 'text/plain' }).end(`${err instanceof Error ? err.message : String(err)}\n`) }
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', err => { reject(new MetricsBindError(options.host, options.port, err)) })
    server.listen(options.port, options.host, () => { resolve() })
  })
  const address = server.address()
  const port = typeof address === 'object' && address != null ? address.port : options.port
  return {
    host: options.host,
    port,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}
