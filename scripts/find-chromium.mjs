// Finds the Chromium the browser tests drive: $CHROME_PATH, else /usr/bin/chromium. Where there
// is none it installs Debian's package when it can (root + apt-get), or stops at once with the
// exact command to run. Never downloads a browser build of its own.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

export function findChromium() {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    console.log('Chromium not found: installing Debian\'s chromium package (apt-get install -y chromium)...');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
    if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  }
  console.error(
    'No Chromium found (looked at $CHROME_PATH, /usr/bin/chromium).\n' +
      'Install it with:  sudo apt-get install -y chromium\n' +
      'or point CHROME_PATH at a Chromium/Chrome binary.',
  );
  process.exit(2);
}
