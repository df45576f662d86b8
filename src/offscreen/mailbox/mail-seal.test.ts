import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { SealedMail } from '../../common/wire/mail.ts'
import { mailKeys, openMail, sealMail, type Mail, type MailKeys } from './mail-seal.ts'

async function identity (): Promise<MailKeys> {
  const key = await generateKeyPair('Ed25519')
  return await mailKeys(key, peerIdFromPrivateKey(key).toString())
}

const mail: Mail = { id: Uint8Array.of(1, 2, 3), sentAt: 1_700_000_000_000, seenSentAt: 1_699_999_999_000, frames: [Uint8Array.of(8, 2), Uint8Array.of(8, 0, 16, 5)] }

describe('mail sealing', async () => {
  const [alice, bob, carol, relay, otherRelay] = await Promise.all([identity(), identity(), identity(), identity(), identity()])

  it('opens for the recipient, at the relay it was sealed for, naming the sender', async () => {
    const envelope = await sealMail(alice, bob.peerId, relay.peerId, mail)
    const opened = await openMail(bob, relay.peerId, envelope)
    expect(opened.sender).toBe(alice.peerId)
    expect(opened.mail).toEqual(mail)
  })

  it('names neither the sender nor anything it says outside the seal', async () => {
    const envelope = await sealMail(alice, bob.peerId, relay.peerId, { ...mail, frames: [new TextEncoder().encode('a secret text')] })
    const text = new TextDecoder('latin1').decode(envelope)
    expect(text).not.toContain(alice.peerId)
    expect(text).not.toContain('a secret text')
    // The outer layer is an encapsulated key and a ciphertext, nothing else.
    expect(Object.keys(SealedMail.decode(envelope)).sort()).toEqual(['ciphertext', 'enc'])
  })

  it('refuses an envelope for another recipient or taken from another relay', async () => {
    const envelope = await sealMail(alice, bob.peerId, relay.peerId, mail)
    await expect(openMail(carol, relay.peerId, envelope)).rejects.toMatchObject({ name: 'MailRejectedError', reason: 'unopenable' })
    await expect(openMail(bob, otherRelay.peerId, envelope)).rejects.toMatchObject({ name: 'MailRejectedError', reason: 'unopenable' })
  })

  it('refuses an envelope with any byte of its key or its ciphertext changed', async () => {
    const sealed = SealedMail.decode(await sealMail(alice, bob.peerId, relay.peerId, mail))
    for (const field of ['enc', 'ciphertext'] as const) {
      for (let at = 0; at < sealed[field].byteLength; at++) {
        const changed = sealed[field].slice()
        changed[at]! ^= 0x01
        const tampered = SealedMail.encode({ ...sealed, [field]: changed })
        await expect(openMail(bob, relay.peerId, tampered), `${field} byte ${at}`).rejects.toMatchObject({ name: 'MailRejectedError' })
      }
    }
  })

  it('refuses an inner layer that names a sender whose key did not seal it', async () => {
    // Carol seals to Bob but relabels the inner layer as Alice's: the auth-mode layer fails against Alice's key.
    const envelope = await sealMail({ ...carol, peerId: alice.peerId }, bob.peerId, relay.peerId, mail)
    await expect(openMail(bob, relay.peerId, envelope)).rejects.toMatchObject({ name: 'MailRejectedError', reason: 'unopenable' })
  })

  it('refuses bytes that are no envelope at all', async () => {
    await expect(openMail(bob, relay.peerId, Uint8Array.of(0xff, 0xff, 0xff))).rejects.toMatchObject({ reason: 'undecodable' })
  })
})
