import { X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { certhashOf, loadOrCreateCertificate } from './webrtc-certificate.ts'

describe('the WebRTC-direct certificate', () => {
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'peerlink-webrtc-cert-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('is made once, kept private, and loaded again with the same hash: the address survives a restart', async () => {
    const file = join(dir, 'webrtc-certificate.pem')
    const made = await loadOrCreateCertificate(file)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const loaded = await loadOrCreateCertificate(file)
    expect(loaded).toEqual(made)
    // A multibase base64url sha2-256 multihash of the DER: 'u', then 0x12 0x20 and 32 bytes ('Ei' and 44 characters).
    expect(made.certhash).toMatch(/^uEi[\w-]{44}$/)
    expect(await certhashOf(made.pem)).toBe(made.certhash)
    const x509 = new X509Certificate(made.pem)
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    expect(new Date(x509.validTo).getTime() - Date.now()).toBeGreaterThan(9 * 365 * 86_400_000)
  })

  it('is new each run without a file, and a file that holds something else is refused, not overwritten', async () => {
    expect((await loadOrCreateCertificate()).certhash).not.toBe((await loadOrCreateCertificate()).certhash)
    const file = join(dir, 'not-a-certificate.pem')
    writeFileSync(file, 'hello')
    await expect(loadOrCreateCertificate(file)).rejects.toThrow(`${file} holds no WebRTC certificate`)
  })
})
