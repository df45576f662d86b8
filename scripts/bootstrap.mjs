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

/**
 * Finds a browser, or installs it: Debian's package as root where apt-get is
 * available, otherwise `download`; says in one line what to do if neither works.
 */
async function ensureBrowser ({ find, debianPackage, download, hint, tooOld = () => undefined }) {
  const found = await find()
  if (found != null && tooOld(found) == null) return
  if (found != null) {
    // A browser that cannot load the extension only fails later, less clearly: upgrade it, or say so now.
    if (isRootWithApt()) {
      console.log(`bootstrap: ${tooOld(found)}; upgrading Debian's ${debianPackage}…`)
      run('apt-get', ['update', '-qq'])
      run('apt-get', ['install', '-y', '-qq', debianPackage])
    }
    const still = tooOld(found)
    if (still == null) return
    console.error(`bootstrap: ${still}; ${hint}`)
    process.exit(1)
  }
  if (isRootWithApt()) {
    console.log(`bootstrap: installing Debian's ${debianPackage}…`)
    run('apt-get', ['update', '-qq'])
    run('apt-get', ['install', '-y', '-qq', debianPackage])
  } else {
    console.log(`bootstrap: ${download.what}…`)
    run('npx', download.args)
  }
  if (await find() == null) {
    console.error(`bootstrap: ${hint}`)
    process.exit(1)
  }
}

const { findChromium, findFirefox, FIREFOX_CACHE_DIR } = await import('./browsers.mjs')

ensurePackages()
await ensureBrowser({
  find: findChromium,
  debianPackage: 'chromium',
  download: { what: 'downloading Playwright\'s Chromium', args: ['playwright', 'install', 'chromium'] },
  hint: 'Peerlink needs Chromium: install it (Debian: apt-get install chromium) or set PEERLINK_CHROMIUM=/path/to/chrome'
})
if (process.argv.includes('--firefox')) {
  await ensureBrowser({
    find: findFirefox,
    debianPackage: 'firefox-esr',
    download: { what: 'downloading Firefox (stable) into .cache/browsers', args: ['@puppeteer/browsers', 'install', 'firefox@stable', '--path', FIREFOX_CACHE_DIR] },
    hint: 'the Firefox tests need Firefox 142 or later: install it (Debian: apt-get update && apt-get install firefox-esr) or set PEERLINK_FIREFOX=/path/to/firefox',
    tooOld: (path) => {
      // The add-on's strict_min_version (scripts/firefox-manifest.ts).
      const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout ?? ''
      const major = Number(/(\d+)\.\d/.exec(version)?.[1])
      return Number.isFinite(major) && major < 142 ? `${path} is Firefox ${major}, older than the 142 Peerlink needs` : undefined
    }
  })
}
