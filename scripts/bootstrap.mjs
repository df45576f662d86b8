// Installs what `npm start`, `npm test` and `npm run bench` need: npm packages and a Chromium.
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

ensurePackages()
await ensureChromium()
