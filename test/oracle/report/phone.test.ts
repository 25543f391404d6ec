// The demo report on a 420 px phone, in headless Chromium: nothing scrolls sideways, the tables are cards whose
// slashing and audit cells are on screen, and the stake panels are drawn at a legible scale.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import { writeReport } from "../../../oracle/report/render.ts";
import { launchChromium, PHONE_WIDTH, requireChromium, screenshot } from "../../app/browser.ts";
import { sampleSummary } from "./sample-summary.ts";

/** The stake panels are 260 units wide; below 80% of that their 11 px labels fall under 9 px. */
const MIN_PANEL_SCALE = 0.8;

describe("report: on a 420 px phone", function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let dir = "";
  let page: Page;

  before(async function () {
    const chromium = requireChromium(this);
    dir = await mkdtemp(join(tmpdir(), "cw-report-phone-"));
    const file = await writeReport(dir, sampleSummary());
    browser = await launchChromium(chromium);
    page = await (await browser.newContext({ viewport: { width: PHONE_WIDTH, height: 900 } })).newPage();
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("html[data-charts=drawn]");
    await screenshot(page, `report-${PHONE_WIDTH}`);
  });

  after(async function () {
    await browser?.close();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("has no horizontal overflow, in the page or inside any table", async function () {
    const overflow = await page.evaluate<{ page: number; tables: number[] }>(`({
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      tables: [...document.querySelectorAll(".table-scroll")].map((el) => el.scrollWidth - el.clientWidth),
    })`);

    expect(overflow.page).to.equal(0);
    expect(overflow.tables.filter((w) => w > 0)).to.deep.equal([]);
  });

  it("shows every round's slashing and audit cells on screen, each labelled", async function () {
    const cells = await page.evaluate<{ label: string; left: number; right: number; visible: boolean }[]>(`[...document.querySelectorAll("table.rounds tbody td")]
      .filter((td) => /^(Slashed|Audit)/.test(td.getAttribute("data-label") || ""))
      .map((td) => {
        const box = td.getBoundingClientRect();
        return { label: td.getAttribute("data-label"), left: box.left, right: box.right, visible: box.width > 0 && box.height > 0 };
      })`);

    expect(cells).to.have.length(sampleSummary().rounds.length * 2);
    for (const cell of cells) {
      expect(cell.visible, cell.label).to.equal(true);
      expect(cell.left).to.be.at.least(0);
      expect(cell.right).to.be.at.most(PHONE_WIDTH);
    }
  });

  it("draws the stake panels one per row at a legible scale", async function () {
    const scale = await page.evaluate<number>(`(() => {
      const svg = document.querySelector("#chart-stake svg");
      return svg === null ? 0 : svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    })()`);

    expect(scale).to.be.at.least(MIN_PANEL_SCALE);
  });

  it("shows operator and treasury payouts beside contributor rewards", async function () {
    const headers = await page.$$eval("table.rounds tbody tr:first-child td", (tds) => tds.map((td) => td.getAttribute("data-label")));

    expect(headers).to.include.members(["Contributors paid (CWT)", "Operators paid (CWT)", "Treasury share (CWT)"]);
  });
});
