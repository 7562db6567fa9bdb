/**
 * Headless Debian Chromium with WebGPU (SwiftShader here) as the bench scripts run it: the guide's
 * flags, the browser CHROME_PATH names or /usr/bin/chromium (never a downloaded one).
 */
import { chromium, type Browser } from '@playwright/test';

export const CHROMIUM_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

/** The guide's flags: WebGPU on, and none of the background traffic that would add processes and RSS to a measurement. */
export const CHROMIUM_FLAGS = Object.freeze(['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync']);

export interface LaunchOptions {
  /** added after the guide's flags, e.g. '--js-flags=--expose-gc' for the memory probes that collect garbage between steps */
  extraArgs?: readonly string[];
}

export function launchChromium(o: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...(o.extraArgs ?? [])],
  });
}
