/**
 * The certificate of the relay's WebRTC-direct listener. Its hash is part of
 * the address users enter (`/webrtc-direct/certhash/…`), so it must outlive
 * restarts: it is made once and kept in a file beside the relay's key. A
 * browser checks only the hash (DTLS fingerprint), not the dates, so it is made
 * to last: @libp2p/webrtc 6.0.33 makes one for 14 days and renews it
 * (private-to-public/transport.js), which would change the address users
 * were given every two weeks.
 */
import 'reflect-metadata'
import { readFile, writeFile } from 'node:fs/promises'
import { webcrypto } from 'node:crypto'
import type { TransportCertificate } from '@libp2p/webrtc'
import * as x509 from '@peculiar/x509'
import { base64url } from 'multiformats/bases/base64'
import { sha256 } from 'multiformats/hashes/sha2'

x509.cryptoProvider.set(webcrypto as Crypto)

const VALID_DAYS = 3650
const DAY_MS = 86_400_000
const KEY_PEM = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/
const CERT_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/

/** The certificate's hash as a WebRTC-direct address carries it: multibase base64url of a sha2-256 multihash of its DER. */
export async function certhashOf (certificatePem: string): Promise<string> {
  const der = new x509.X509Certificate(certificatePem).rawData
  return base64url.encode((await sha256.digest(new Uint8Array(der))).bytes)
}

/** Loads the certificate kept in `file` (key and certificate, PEM), making and saving one on first use; none: a new one each run. */
export async function loadOrCreateCertificate (file?: string): Promise<TransportCertificate> {
  if (file != null) {
    let text: string | undefined
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    if (text != null) {
      const privateKey = KEY_PEM.exec(text)?.[0]
      const pem = CERT_PEM.exec(text)?.[0]
      if (privateKey == null || pem == null) throw new Error(`${file} holds no WebRTC certificate (a private key and a certificate, PEM): move it away to make a new one`)
      return { privateKey, pem, certhash: await certhashOf(pem) }
    }
  }
  const certificate = await makeCertificate()
  if (file != null) await writeFile(file, `${certificate.privateKey}\n${certificate.pem}\n`, { mode: 0o600 })
  return certificate
}

async function makeCertificate (): Promise<TransportCertificate> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - DAY_MS)
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    name: 'CN=peerlink-relay',
    notBefore,
    notAfter: new Date(notBefore.getTime() + VALID_DAYS * DAY_MS),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    keys: keys as CryptoKeyPair,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)]
  })
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
  const privateKey = ['-----BEGIN PRIVATE KEY-----', ...(pkcs8.toString('base64').match(/.{1,64}/g) ?? []), '-----END PRIVATE KEY-----'].join('\n')
  const pem = certificate.toString('pem')
  return { privateKey, pem, certhash: await certhashOf(pem) }
}
