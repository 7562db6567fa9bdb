/**
 * A step of a bench script on its own page, run once more on a fresh page when Vite's dev client
 * reloaded the first mid-call (another session edited a source file): the error is then the
 * page's context being destroyed, not the step's own. Any other error, or a second one, is thrown.
 */
import type { Page } from '@playwright/test';

export async function onFreshPage<T>(open: () => Promise<Page>, run: (page: Page) => Promise<T>, onRetry: () => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const page = await open();
    try {
      return await run(page);
    } catch (e) {
      if (attempt > 0 || !/context was destroyed|navigation/i.test((e as Error).message)) throw e;
      onRetry();
    } finally {
      await page.close().catch(() => {});
    }
  }
}
