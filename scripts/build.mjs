// `npm run build`: dist/chrome, dist/firefox and the example client extension dist/examples/extension (see vite.config.ts).
// Extra arguments go to each `vite build`, such as `--logLevel warn`.
import { spawnSync } from 'node:child_process'

for (const mode of ['chrome', 'firefox', 'example']) {
  if (spawnSync('npx', ['vite', 'build', '--mode', mode, ...process.argv.slice(2)], { stdio: 'inherit' }).status !== 0) process.exit(1)
}
