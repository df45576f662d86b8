import type { Connection, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { PEERLINK_PROTOCOL } from '../common/constants.ts'
import type { Frame } from '../common/frames.ts'
import type { PeerConnectionInfo } from '../link/apis.ts'
import { describeConnection } from './connection-view.ts'
import { openWebRTCStream } from './dial.ts'
import { FramedChannel, type CloseCause } from './framed-channel.ts'

/** Where inbound traffic goes: the worker, over the link. */
export interface ChannelSink {
  deliver: (peerId: string, seq: number, body: Uint8Array) => Promise<void>
  acked: (peerId: string, seq: number) => Promise<void>
  changed: () => void
}

export interface PeerChannelsOptions {
  node: Libp2p
  sink: ChannelSink
  relays: string[]
  maxMessageBytes: number
  writeTimeoutMs: number
  dialTimeoutMs: number
  dialAttempts: number
  maxInboundPendingBytes: number
  log: (format: string, ...args: unknown[]) => void
}

/** Thrown when a stream from a peer the user did not allow is refused. */
class PeerNotAllowedError extends Error {
  static override readonly name = 'PeerNotAllowedError'
  override readonly name = 'PeerNotAllowedError'
}

/**
 * One framed stream per peer: opened on demand (dialing WebRTC through the
 * relays, one dial in flight per peer) or accepted from an allowed peer.
 */
export class PeerChannels {
  readonly #options: PeerChannelsOptions
  readonly #channels = new Map<string, FramedChannel>()
  readonly #dials = new Map<string, Promise<FramedChannel>>()
  readonly #info = new Map<string, PeerConnectionInfo>()
  #allowed = new Set<string>()

  constructor (options: PeerChannelsOptions) {
    this.#options = options
  }

  setAllowed (peerIds: string[]): void {
    this.#allowed = new Set(peerIds)
    for (const [peerId, channel] of this.#channels) {
      if (!this.#allowed.has(peerId)) void channel.close()
    }
    for (const peerId of this.#info.keys()) {
      if (!this.#allowed.has(peerId)) this.#info.delete(peerId)
    }
    this.#options.sink.changed()
  }

  /** Connection state of every allowed peer, as the pages show it. */
  snapshot (): Record<string, PeerConnectionInfo> {
    const out: Record<string, PeerConnectionInfo> = {}
    for (const peerId of this.#allowed) {
      out[peerId] = this.#info.get(peerId) ?? { state: 'idle', connection: null }
    }
    return out
  }

  /** The protocol handler: accepts streams from allowed peers only. */
  readonly handleInbound = async (stream: Stream, connection: Connection): Promise<void> => {
    const peerId = connection.remotePeer.toString()
    if (!this.#allowed.has(peerId)) {
      this.#options.log('refused stream from %s: not an allowed peer', peerId)
      stream.abort(new PeerNotAllowedError(`${peerId} is not an allowed peer`))
      return
    }
    this.#adopt(new FramedChannel(stream, connection, this.#channelOptions()))
  }

  /** Writes a message frame, dialing the peer first when no stream is open. */
  async sendMessage (peerId: string, seq: number, body: Uint8Array): Promise<void> {
    const frame: Frame = { type: 'message', seq, body }
    const channel = await this.#channelFor(peerId)
    await channel.write(frame)
  }

  /** Sends CLOSE and ends the stream cleanly. */
  async closePeer (peerId: string): Promise<void> {
    const channel = this.#channels.get(peerId)
    if (channel?.open === true) {
      await channel.write({ type: 'close' }).catch(() => {})
      await channel.close()
    }
    this.#setInfo(peerId, { state: 'idle', connection: null })
  }

  async #channelFor (peerId: string): Promise<FramedChannel> {
    const current = this.#channels.get(peerId)
    if (current?.open === true) return current
    let dial = this.#dials.get(peerId)
    if (dial == null) {
      dial = this.#open(peerId).finally(() => this.#dials.delete(peerId))
      this.#dials.set(peerId, dial)
    }
    return await dial
  }

  async #open (peerId: string): Promise<FramedChannel> {
    this.#setInfo(peerId, { state: 'connecting', connection: null })
    try {
      const { connection, stream } = await openWebRTCStream(this.#options.node, peerId, {
        protocol: PEERLINK_PROTOCOL,
        relays: this.#options.relays,
        attemptTimeoutMs: this.#options.dialTimeoutMs,
        attempts: this.#options.dialAttempts,
        log: this.#options.log
      })
      return this.#adopt(new FramedChannel(stream, connection, this.#channelOptions()))
    } catch (err) {
      const message = `${(err as Error).name}: ${(err as Error).message}`
      this.#setInfo(peerId, { state: 'failed', connection: null, lastError: message })
      throw err
    }
  }

  #adopt (channel: FramedChannel): FramedChannel {
    this.#channels.set(channel.peerId, channel)
    this.#setInfo(channel.peerId, { state: 'connected', connection: describeConnection(channel.connection) })
    this.#options.log('stream %s open to %s over %a', channel.stream.id, channel.peerId, channel.connection.remoteAddr)
    return channel
  }

  #channelOptions (): ConstructorParameters<typeof FramedChannel>[2] {
    return {
      maxMessageBytes: this.#options.maxMessageBytes,
      writeTimeoutMs: this.#options.writeTimeoutMs,
      maxInboundPendingBytes: this.#options.maxInboundPendingBytes,
      onFrame: this.#onFrame,
      onClose: this.#onClose
    }
  }

  readonly #onFrame = async (frame: Frame, channel: FramedChannel): Promise<void> => {
    const { peerId } = channel
    switch (frame.type) {
      case 'message':
        await this.#options.sink.deliver(peerId, frame.seq, frame.body)
        // Ack only once the worker has the message durably.
        if (channel.open) await channel.write({ type: 'ack', seq: frame.seq })
        return
      case 'ack':
        await this.#options.sink.acked(peerId, frame.seq)
        return
      case 'close':
        await channel.close()
        return
      case 'hello':
        return
    }
  }

  readonly #onClose = (cause: CloseCause, channel: FramedChannel): void => {
    const how = `${cause.local ? 'local' : 'remote'} ${cause.error == null ? 'clean close' : `error ${cause.error}`}`
    this.#options.log('stream %s to %s ended: %s %s', channel.stream.id, channel.peerId, how, cause.detail ?? '')
    if (this.#channels.get(channel.peerId) !== channel) return
    this.#channels.delete(channel.peerId)
    const info: PeerConnectionInfo = { state: 'idle', connection: null }
    if (cause.error != null) info.lastError = `${how}: ${cause.detail ?? ''}`
    this.#setInfo(channel.peerId, info)
  }

  #setInfo (peerId: string, info: PeerConnectionInfo): void {
    if (!this.#allowed.has(peerId)) return
    this.#info.set(peerId, info)
    this.#options.sink.changed()
  }
}
