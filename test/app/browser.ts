// Headless Chromium through playwright-core (Debian's /usr/bin/chromium; CI installs it), for the web app's and the
// report's browser tests. Side-effect free at import.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";

import { chromium, type Browser, type Page } from "playwright-core";

/** Where Debian installs chromium. */
export const CHROMIUM_PATH = "/usr/bin/chromium";
/** Screenshots go here; CI keeps test-results/ as an artifact. */
export const SCREENSHOT_DIR = path.resolve("test-results", "app");
/** The phone width every screen must fit without sideways scrolling. */
export const PHONE_WIDTH = 420;
/** The desktop width of the screenshots. */
export const DESKTOP_WIDTH = 1280;

/**
 * Skips the running test (pending, with the reason printed) when chromium is missing; never fails for it.
 * @returns The executable.
 */
export function requireChromium(test: Mocha.Context): string {
  if (!existsSync(CHROMIUM_PATH)) {
    console.warn(`    pending: ${CHROMIUM_PATH} is missing; install it (apt-get install -y chromium; .ci/run does) to run the browser tests`);
    test.skip();
  }
  return CHROMIUM_PATH;
}

/** Launches headless Chromium with the flags a CI container needs. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
}

// The checks below run in the page; they are written as expressions because this project's TypeScript has no DOM
// library (the Node side must not see DOM types).

/** How far the page is wider than its viewport, in CSS pixels (0: no horizontal overflow). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
}

/** The elements that stick out past the right edge (for a useful failure message). */
export async function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`[...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + "." + el.className + ": " + (el.textContent || "").slice(0, 40))`);
}

/** Saves a full-page screenshot as test-results/app/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
