/**
 * Headless Debian Chromium with WebGPU (SwiftShader here) as the bench scripts run it: the guide's
 * flags, the browser CHROME_PATH names or /usr/bin/chromium (never a downloaded one).
 */
import { chromium, type Browser } from '@playwright/test';

export const CHROMIUM_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
