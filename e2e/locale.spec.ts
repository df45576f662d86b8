import { expect, test } from '@playwright/test'
import { ExtensionProfile } from './support/extension-profile.ts'

test('a browser set to German shows Peerlink\'s pages in German', async () => {
  const profile = await ExtensionProfile.launch({ name: 'deutsch', locale: 'de' })
  try {
    const popup = await profile.open('popup/popup.html')
    await expect(popup.getByRole('button', { name: 'Kontakt hinzufügen' })).toBeVisible()
    await expect(popup.getByText('Noch keine Kontakte', { exact: false })).toBeVisible()
    const options = await profile.open('options/options.html')
    await expect(options.getByRole('heading', { name: 'Ihre Identität' })).toBeVisible()
    await expect(options.getByRole('button', { name: 'Relay hinzufügen' })).toBeVisible()
    const welcome = await profile.open('welcome/welcome.html')
    await expect(welcome.getByRole('heading', { name: 'Willkommen bei Peerlink' })).toBeVisible()
    await expect(welcome.locator('#welcome-progress')).toHaveText('0 von 4 Schritten erledigt')
  } finally {
    await profile.close()
  }
})
