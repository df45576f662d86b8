import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const RELAY_START_TIMEOUT_MS = 30_000

export interface RelayProcessOptions {
  /** More flags for relay/main.ts: `--host`, `--stun-port`, `--turn-url`, `--max-relay-bytes`, … */
  args?: string[]
  /** Starts the process, e.g. inside a network namespace (`NetnsLayout.spawn`); on this machine by default. */
  spawnIn?: (command: string, args: string[]) => ChildProcess
}

/** A real relay process (`relay/main.ts`), with a key of its own so restarts keep its address. */
export class RelayProcess {
  readonly #keyFile: string
  readonly #options: RelayProcessOptions
  #child: ChildProcess | undefined
  #address = ''
  #addresses: string[] = []
  #log = ''

  private constructor (keyFile: string, options: RelayProcessOptions) {
    this.#keyFile = keyFile
    this.#options = options
  }

  /** Starts a relay on a free port (or `port`) of 127.0.0.1 (or `--host`), with its key in `keyFile` (a new one by default). */
  static async start (port = 0, keyFile?: string, options: RelayProcessOptions = {}): Promise<RelayProcess> {
    const relay = new RelayProcess(keyFile ?? join(mkdtempSync(join(tmpdir(), 'peerlink-relay-')), 'key'), options)
    await relay.#spawn(port)
    return relay
  }

  /** The relay's first multiaddr (WebSocket unless `--port off`), with its peer id. */
  get address (): string {
    return this.#address
  }

  /** Every address the relay printed, in its order. */
  get addresses (): string[] {
    return [...this.#addresses]
  }

  /** The running relay's process id (for its CPU and memory figures). */
  get pid (): number | undefined {
    return this.#child?.pid
  }

  /** Everything the relay printed, across its restarts. */
  get log (): string {
    return this.#log
  }

  /** Stops the relay cleanly (SIGTERM, then SIGKILL after 5 s). */
  async stop (): Promise<void> {
    await this.#end('SIGTERM')
  }

  /** Stops the relay and starts it again on the same address. */
  async restart (): Promise<void> {
    await this.stop()
    await this.startAgain()
  }

  /** Kills the relay abruptly, as a crash would. */
  async kill (): Promise<void> {
    await this.#end('SIGKILL')
  }

  async #end (signal: NodeJS.Signals): Promise<void> {
    const child = this.#child
    this.#child = undefined
    if (child == null || child.exitCode != null) return
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }

  /** Starts a stopped relay again, on the same addresses (same ports, same key and certificate). */
  async startAgain (): Promise<void> {
    const portOf = (transport: string): string | undefined => this.#addresses.find(a => a.includes(transport))?.split('/')[4]
    const ws = portOf('/ws/')
    const webrtc = portOf('/webrtc-direct/')
    // After the caller's flags, so they win over its `0`s.
    await this.#spawn(ws == null ? 0 : Number(ws), webrtc == null ? [] : ['--webrtc-port', webrtc])
  }

  async #spawn (port: number, after: string[] = []): Promise<void> {
    const args = ['--import', 'tsx', 'relay/main.ts', '--port', String(port), '--key-file', this.#keyFile, ...(this.#options.args ?? []), ...after]
    const child = this.#options.spawnIn?.(process.execPath, args) ?? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    this.#child = child
    const keep = (chunk: Buffer): void => { this.#log += chunk.toString() }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    let output = ''
    this.#addresses = await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`relay did not start within ${RELAY_START_TIMEOUT_MS} ms:\n${output}`)) }, RELAY_START_TIMEOUT_MS)
      const onData = (chunk: Buffer): void => {
        output += chunk.toString()
        // Its `relay:` lines all come before `limits:`.
        if (!/^limits: /m.test(output)) return
        clearTimeout(timer)
        resolve([...output.matchAll(/^relay: (\S+)$/gm)].map(m => m[1]!))
      }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onData)
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`relay exited with ${code}:\n${output}`)) })
    })
    this.#address = this.#addresses[0] ?? ''
  }
}
