import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Frame {
  type: Frame.Type
  seq: number
  body: Uint8Array<ArrayBuffer>
  id: string
  hello?: Hello
  pause?: Pause
  skipFrom: number
  channel: string
  kind: Frame.Kind
}

export namespace Frame {
  export enum Type {
    MESSAGE = 'MESSAGE',
    ACK = 'ACK',
    HELLO = 'HELLO',
    CLOSE = 'CLOSE',
    PING = 'PING',
    SKIP = 'SKIP',
    PAUSE = 'PAUSE',
    QUIET = 'QUIET'
  }

  enum __TypeValues {
    MESSAGE = 0,
    ACK = 1,
    HELLO = 2,
    CLOSE = 3,
    PING = 4,
    SKIP = 5,
    PAUSE = 6,
    QUIET = 7
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  export enum Kind {
    TEXT = 'TEXT',
    BYTES = 'BYTES'
  }

  enum __KindValues {
    TEXT = 0,
    BYTES = 1
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<Frame>

  export const codec = (): Codec<Frame> => {
    if (_codec == null) {
      _codec = message<Frame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(8)
          Frame.Type.codec().encode(obj.type, w)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.seq)
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.body)
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(34)
          w.string(obj.id)
        }

        if (obj.hello != null) {
          w.uint32(42)
          Hello.codec().encode(obj.hello, w)
        }

        if (obj.pause != null) {
          w.uint32(50)
          Pause.codec().encode(obj.pause, w)
        }

        if ((obj.skipFrom != null && obj.skipFrom !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.skipFrom)
        }

        if ((obj.channel != null && obj.channel !== '')) {
          w.uint32(66)
          w.string(obj.channel)
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(72)
          Frame.Kind.codec().encode(obj.kind, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.MESSAGE,
          seq: 0,
          body: uint8ArrayAlloc(0),
          id: '',
          skipFrom: 0,
          channel: '',
          kind: Kind.TEXT
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = Frame.Type.codec().decode(reader)
              break
            }
            case 2: {
              obj.seq = reader.uint64Number()
              break
            }
            case 3: {
              obj.body = reader.bytes()
              break
            }
            case 4: {
              obj.id = reader.string()
              break
            }
            case 5: {
              obj.hello = Hello.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.hello
              })
              break
            }
            case 6: {
              obj.pause = Pause.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.pause
              })
              break
            }
            case 7: {
              obj.skipFrom = reader.uint64Number()
              break
            }
            case 8: {
              obj.channel = reader.string()
              break
            }
            case 9: {
              obj.kind = Frame.Kind.codec().decode(reader)
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.type`,
                value: Frame.Type.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield * Hello.codec().stream(reader, reader.uint32(), `${prefix}.hello`, {
                limits: opts.limits?.hello
              })

              break
            }
            case 6: {
              yield * Pause.codec().stream(reader, reader.uint32(), `${prefix}.pause`, {
                limits: opts.limits?.pause
              })

              break
            }
            case 7: {
              yield {
                field: `${prefix}.skipFrom`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.channel`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.kind`,
                value: Frame.Kind.codec().decode(reader)
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface FrameTypeFieldEvent {
    field: '$.type'
    value: Frame.Type
  }

  export interface FrameSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface FrameBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface FrameHelloIncarnationFieldEvent {
    field: '$.hello.incarnation'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameHelloPeerIncarnationFieldEvent {
    field: '$.hello.peerIncarnation'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameHelloNextExpectedSeqFieldEvent {
    field: '$.hello.nextExpectedSeq'
    value: number
  }

  export interface FrameHelloFirstSeqFieldEvent {
    field: '$.hello.firstSeq'
    value: number
  }

  export interface FrameHelloMaxMessageBytesFieldEvent {
    field: '$.hello.maxMessageBytes'
    value: number
  }

  export interface FrameHelloInactivityTimeoutMsFieldEvent {
    field: '$.hello.inactivityTimeoutMs'
    value: number
  }

  export interface FrameHelloAddressesFieldEvent {
    field: '$.hello.addresses[]'
    index: number
    value: string
  }

  export interface FrameHelloMailboxTokenFieldEvent {
    field: '$.hello.mailboxToken'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FramePauseReasonFieldEvent {
    field: '$.pause.reason'
    value: Pause.Reason
  }

  export interface FrameSkipFromFieldEvent {
    field: '$.skipFrom'
    value: number
  }

  export interface FrameChannelFieldEvent {
    field: '$.channel'
    value: string
  }

  export interface FrameKindFieldEvent {
    field: '$.kind'
    value: Frame.Kind
  }

  export function encode (obj: Partial<Frame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Frame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Frame {
    return decodeMessage(buf, Frame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Generator<FrameTypeFieldEvent | FrameSeqFieldEvent | FrameBodyFieldEvent | FrameIdFieldEvent | FrameHelloIncarnationFieldEvent | FrameHelloPeerIncarnationFieldEvent | FrameHelloNextExpectedSeqFieldEvent | FrameHelloFirstSeqFieldEvent | FrameHelloMaxMessageBytesFieldEvent | FrameHelloInactivityTimeoutMsFieldEvent | FrameHelloAddressesFieldEvent | FrameHelloMailboxTokenFieldEvent | FramePauseReasonFieldEvent | FrameSkipFromFieldEvent | FrameChannelFieldEvent | FrameKindFieldEvent> {
    return streamMessage(buf, Frame.codec(), opts)
  }
}

export interface Hello {
  incarnation: Uint8Array<ArrayBuffer>
  peerIncarnation: Uint8Array<ArrayBuffer>
  nextExpectedSeq: number
  firstSeq: number
  maxMessageBytes: number
  inactivityTimeoutMs: number
  addresses: string[]
  mailboxToken: Uint8Array<ArrayBuffer>
}

export namespace Hello {
  let _codec: Codec<Hello>

  export const codec = (): Codec<Hello> => {
    if (_codec == null) {
      _codec = message<Hello>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.incarnation != null && obj.incarnation.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.incarnation)
        }

        if ((obj.peerIncarnation != null && obj.peerIncarnation.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.peerIncarnation)
        }

        if ((obj.nextExpectedSeq != null && obj.nextExpectedSeq !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.nextExpectedSeq)
        }

        if ((obj.firstSeq != null && obj.firstSeq !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.firstSeq)
        }

        if ((obj.maxMessageBytes != null && obj.maxMessageBytes !== 0)) {
          w.uint32(40)
          w.uint32(obj.maxMessageBytes)
        }

        if ((obj.inactivityTimeoutMs != null && obj.inactivityTimeoutMs !== 0)) {
          w.uint32(48)
          w.uint32(obj.inactivityTimeoutMs)
        }

        if (obj.addresses != null && obj.addresses.length > 0) {
          for (const value of obj.addresses) {
            w.uint32(58)
            w.string(value)
          }
        }

        if ((obj.mailboxToken != null && obj.mailboxToken.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.mailboxToken)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          incarnation: uint8ArrayAlloc(0),
          peerIncarnation: uint8ArrayAlloc(0),
          nextExpectedSeq: 0,
          firstSeq: 0,
          maxMessageBytes: 0,
          inactivityTimeoutMs: 0,
          addresses: [],
          mailboxToken: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.incarnation = reader.bytes()
              break
            }
            case 2: {
              obj.peerIncarnation = reader.bytes()
              break
            }
            case 3: {
              obj.nextExpectedSeq = reader.uint64Number()
              break
            }
            case 4: {
              obj.firstSeq = reader.uint64Number()
              break
            }
            case 5: {
              obj.maxMessageBytes = reader.uint32()
              break
            }
            case 6: {
              obj.inactivityTimeoutMs = reader.uint32()
              break
            }
            case 7: {
              if (opts.limits?.addresses != null && obj.addresses.length === opts.limits.addresses) {
                throw new MaxLengthError('Decode error - repeated field "addresses" had too many elements')
              }

              if (obj.addresses.length === 8) {
                throw new MaxLengthError('Decode error - repeated field "addresses" had too many elements')
              }

              obj.addresses.push(reader.string())
              break
            }
            case 8: {
              obj.mailboxToken = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addresses: 8
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.incarnation`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.peerIncarnation`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.nextExpectedSeq`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.firstSeq`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.maxMessageBytes`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.inactivityTimeoutMs`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              if (opts.limits?.addresses != null && obj.addresses === opts.limits.addresses) {
                throw new MaxLengthError('Streaming decode error - repeated field "addresses" had too many elements')
              }

              if (obj.addresses === 8) {
                throw new MaxLengthError('Streaming decode error - repeated field "addresses" had too many elements')
              }

              yield {
                field: `${prefix}.addresses[]`,
                index: obj.addresses,
                value: reader.string()
              }

              obj.addresses++

              break
            }
            case 8: {
              yield {
                field: `${prefix}.mailboxToken`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HelloIncarnationFieldEvent {
    field: '$.incarnation'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HelloPeerIncarnationFieldEvent {
    field: '$.peerIncarnation'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HelloNextExpectedSeqFieldEvent {
    field: '$.nextExpectedSeq'
    value: number
  }

  export interface HelloFirstSeqFieldEvent {
    field: '$.firstSeq'
    value: number
  }

  export interface HelloMaxMessageBytesFieldEvent {
    field: '$.maxMessageBytes'
    value: number
  }

  export interface HelloInactivityTimeoutMsFieldEvent {
    field: '$.inactivityTimeoutMs'
    value: number
  }

  export interface HelloAddressesFieldEvent {
    field: '$.addresses[]'
    index: number
    value: string
  }

  export interface HelloMailboxTokenFieldEvent {
    field: '$.mailboxToken'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Hello>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Hello.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Hello>): Hello {
    return decodeMessage(buf, Hello.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Hello>): Generator<HelloIncarnationFieldEvent | HelloPeerIncarnationFieldEvent | HelloNextExpectedSeqFieldEvent | HelloFirstSeqFieldEvent | HelloMaxMessageBytesFieldEvent | HelloInactivityTimeoutMsFieldEvent | HelloAddressesFieldEvent | HelloMailboxTokenFieldEvent> {
    return streamMessage(buf, Hello.codec(), opts)
  }
}

export interface Pause {
  reason: Pause.Reason
}

export namespace Pause {
  export enum Reason {
    STORAGE_FULL = 'STORAGE_FULL'
  }

  enum __ReasonValues {
    STORAGE_FULL = 0
  }

  export namespace Reason {
    export const codec = (): Codec<Reason> => {
      return enumeration<Reason>(__ReasonValues)
    }
  }

  let _codec: Codec<Pause>

  export const codec = (): Codec<Pause> => {
    if (_codec == null) {
      _codec = message<Pause>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.reason != null && __ReasonValues[obj.reason] !== 0) {
          w.uint32(8)
          Pause.Reason.codec().encode(obj.reason, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          reason: Reason.STORAGE_FULL
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.reason = Pause.Reason.codec().decode(reader)
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.reason`,
                value: Pause.Reason.codec().decode(reader)
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PauseReasonFieldEvent {
    field: '$.reason'
    value: Pause.Reason
  }

  export function encode (obj: Partial<Pause>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Pause.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Pause>): Pause {
    return decodeMessage(buf, Pause.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Pause>): Generator<PauseReasonFieldEvent> {
    return streamMessage(buf, Pause.codec(), opts)
  }
}
