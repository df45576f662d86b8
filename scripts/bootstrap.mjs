// Installs what `npm start`, `npm test` and `npm run bench` need: npm packages, a Chromium and (for `npm test`) a Firefox.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status === 0

function ensurePackages () {
  const marker = 'node_modules/.package-lock.json'
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync('package-lock.json').mtimeMs) return
  console.log('bootstrap: installing npm packages (npm ci)…')
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) {
    console.error('bootstrap: npm ci failed; see the messages above')
    process.exit(1)
  }
}

function isRootWithApt () {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

async function ensureChromium () {
  const { findChromium } = await import('./chromium.mjs')
  if (await findChromium() != null) return
  if (isRootWithApt()) {
    console.log('bootstrap: installing Debian\'s chromium…')
    run('apt-get', ['update', '-qq'])
    run('apt-get', ['install', '-y', '-qq', 'chromium'])
  } else {
    console.log('bootstrap: downloading Playwright\'s Chromium…')
    run('npx', ['playwright', 'install', 'chromium'])
  }
  if (await findChromium() == null) {
    console.error('bootstrap: Peerlink needs Chromium: install it (Debian: apt-get install chromium) or set PEERLINK_CHROMIUM=/path/to/chrome')
    process.exit(1)
  }
}

async function ensureFirefox () {
  const { findFirefox, FIREFOX_CACHE_DIR } = await import('./firefox.mjs')
  if (await findFirefox() != null) return
  if (isRootWithApt()) {
    console.log('bootstrap: installing Debian\'s firefox-esr…')
    run('apt-get', ['update', '-qq'])
    run('apt-get', ['install', '-y', '-qq', 'firefox-esr'])
  } else {
    console.log('bootstrap: downloading Firefox (stable) into .cache/browsers…')
    run('npx', ['@puppeteer/browsers', 'install', 'firefox@stable', '--path', FIREFOX_CACHE_DIR])
  }
  if (await findFirefox() == null) {
    console.error('bootstrap: the Firefox tests need Firefox 142 or later: install it (Debian: apt-get install firefox-esr) or set PEERLINK_FIREFOX=/path/to/firefox')
    process.exit(1)
  }
}

ensurePackages()
await ensureChromium()
if (process.argv.includes('--firefox')) await ensureFirefox()
