import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface IceServer {
  urls: string[]
  username?: string
  credential?: string
}

export namespace IceServer {
  let _codec: Codec<IceServer>

  export const codec = (): Codec<IceServer> => {
    if (_codec == null) {
      _codec = message<IceServer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.urls != null && obj.urls.length > 0) {
          for (const value of obj.urls) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (obj.username != null) {
          w.uint32(18)
          w.string(obj.username)
        }

        if (obj.credential != null) {
          w.uint32(26)
          w.string(obj.credential)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          urls: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.urls != null && obj.urls.length === opts.limits.urls) {
                throw new MaxLengthError('Decode error - repeated field "urls" had too many elements')
              }

              obj.urls.push(reader.string())
              break
            }
            case 2: {
              obj.username = reader.string()
              break
            }
            case 3: {
              obj.credential = reader.string()
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
          urls: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.urls != null && obj.urls === opts.limits.urls) {
                throw new MaxLengthError('Streaming decode error - repeated field "urls" had too many elements')
              }

              yield {
                field: `${prefix}.urls[]`,
                index: obj.urls,
                value: reader.string()
              }

              obj.urls++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.username`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.credential`,
                value: reader.string()
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

  export interface IceServerUrlsFieldEvent {
    field: '$.urls[]'
    index: number
    value: string
  }

  export interface IceServerUsernameFieldEvent {
    field: '$.username'
    value: string
  }

  export interface IceServerCredentialFieldEvent {
    field: '$.credential'
    value: string
  }

  export function encode (obj: Partial<IceServer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, IceServer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IceServer>): IceServer {
    return decodeMessage(buf, IceServer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IceServer>): Generator<IceServerUrlsFieldEvent | IceServerUsernameFieldEvent | IceServerCredentialFieldEvent> {
    return streamMessage(buf, IceServer.codec(), opts)
  }
}

export interface IceOffer {
  status: IceOffer.Status
  servers: IceServer[]
  ttlSeconds: number
  turnAfterSeconds: number
}

export namespace IceOffer {
  export enum Status {
    OK = 'OK',
    NO_RESERVATION = 'NO_RESERVATION'
  }

  enum __StatusValues {
    OK = 0,
    NO_RESERVATION = 1
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<IceOffer>

  export const codec = (): Codec<IceOffer> => {
    if (_codec == null) {
      _codec = message<IceOffer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          IceOffer.Status.codec().encode(obj.status, w)
        }

        if (obj.servers != null && obj.servers.length > 0) {
          for (const value of obj.servers) {
            w.uint32(18)
            IceServer.codec().encode(value, w)
          }
        }

        if ((obj.ttlSeconds != null && obj.ttlSeconds !== 0)) {
          w.uint32(24)
          w.uint32(obj.ttlSeconds)
        }

        if ((obj.turnAfterSeconds != null && obj.turnAfterSeconds !== 0)) {
          w.uint32(32)
          w.uint32(obj.turnAfterSeconds)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          servers: [],
          ttlSeconds: 0,
          turnAfterSeconds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = IceOffer.Status.codec().decode(reader)
              break
            }
            case 2: {
              if (opts.limits?.servers != null && obj.servers.length === opts.limits.servers) {
                throw new MaxLengthError('Decode error - repeated field "servers" had too many elements')
              }

              obj.servers.push(IceServer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.servers$
              }))
              break
            }
            case 3: {
              obj.ttlSeconds = reader.uint32()
              break
            }
            case 4: {
              obj.turnAfterSeconds = reader.uint32()
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
          servers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: IceOffer.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              if (opts.limits?.servers != null && obj.servers === opts.limits.servers) {
                throw new MaxLengthError('Streaming decode error - repeated field "servers" had too many elements')
              }

              for (const evt of IceServer.codec().stream(reader, reader.uint32(), `${prefix}.servers[]`, {
                limits: opts.limits?.servers$
              })) {
                yield {
                  ...evt,
                  index: obj.servers
                }
              }

              obj.servers++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.ttlSeconds`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.turnAfterSeconds`,
                value: reader.uint32()
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

  export interface IceOfferStatusFieldEvent {
    field: '$.status'
    value: IceOffer.Status
  }

  export interface IceOfferServersUrlsFieldEvent {
    field: '$.servers[].urls[]'
    index: number
    value: string
  }

  export interface IceOfferServersUsernameFieldEvent {
    field: '$.servers[].username'
    value: string
    index: number
  }

  export interface IceOfferServersCredentialFieldEvent {
    field: '$.servers[].credential'
    value: string
    index: number
  }

  export interface IceOfferTtlSecondsFieldEvent {
    field: '$.ttlSeconds'
    value: number
  }

  export interface IceOfferTurnAfterSecondsFieldEvent {
    field: '$.turnAfterSeconds'
    value: number
  }

  export function encode (obj: Partial<IceOffer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, IceOffer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IceOffer>): IceOffer {
    return decodeMessage(buf, IceOffer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IceOffer>): Generator<IceOfferStatusFieldEvent | IceOfferServersUrlsFieldEvent | IceOfferServersUsernameFieldEvent | IceOfferServersCredentialFieldEvent | IceOfferTtlSecondsFieldEvent | IceOfferTurnAfterSecondsFieldEvent> {
    return streamMessage(buf, IceOffer.codec(), opts)
  }
}
