// The web app in headless Chromium against a real `hardhat node`: a wallet is injected as an EIP-1193 provider
// that forwards to the node's unlocked development accounts, so every signature is a real transaction.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { PreviewServer } from "vite";

import { buildApp, serveApp, writeAppDeployment } from "../../app/serve.ts";
import type { Deployment } from "../../oracle/chain/deployment.ts";
import { connectContracts } from "../../oracle/chain/contracts.ts";
import { formatTokens } from "../../oracle/chain/units.ts";
import { DEVNET_POLICY } from "../../oracle/devnet/devnet.ts";
import { advanceTime, deployOnNode, disputeRound, finalizeRound, proposeResolution, rpc, startHardhatNode, type FinalizedRound, type HardhatNode } from "./app-chain.ts";
import { DESKTOP_WIDTH, horizontalOverflow, launchChromium, overflowingElements, PHONE_WIDTH, requireChromium, screenshot } from "./browser.ts";

/** Hardhat's development accounts 0 (deployer: all CWT), 4 (a contributor of the finalized round). */
const DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const CONTRIBUTOR = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const SCREENS = ["governance", "rounds", "contributor", "sponsor"] as const;
const UI_TIMEOUT_MS = 30_000;

interface WalletOptions {
  readonly account?: string;
  readonly chainId?: string;
  readonly rejectNextTransaction?: boolean;
}

describe("web app in headless Chromium", function () {
  this.timeout(300_000);
  let browser: Browser | undefined;
  let node: HardhatNode | undefined;
  let server: PreviewServer | undefined;
  let outDir = "";
  let appUrl = "";
  let deployment: Deployment;
  let finalized: FinalizedRound;
  let snapshot = "";
  const contexts: BrowserContext[] = [];

  before(async function () {
    const executable = requireChromium(this);
    outDir = await mkdtemp(path.join(tmpdir(), "cw-app-"));
    node = await startHardhatNode();
    deployment = await deployOnNode(node);
    finalized = await finalizeRound(node, deployment);
    await buildApp(outDir);
    await writeAppDeployment(outDir, { deployment, rpcUrl: node.url, resultsUrl: "./results/round-{roundId}.json" });
    await mkdir(path.join(outDir, "results"), { recursive: true });
    await writeFile(path.join(outDir, "results", `round-${finalized.roundId}.json`), JSON.stringify(finalized.resultPackage));
    ({ url: appUrl, server } = await serveApp(outDir, 0));
    browser = await launchChromium(executable);
  });

  beforeEach(async function () {
    if (node !== undefined) snapshot = (await rpc(node.url, "evm_snapshot")) as string;
  });

  afterEach(async function () {
    for (const context of contexts.splice(0)) await context.close();
    if (node !== undefined && snapshot !== "") await rpc(node.url, "evm_revert", [snapshot]);
  });

  after(async function () {
    await browser?.close();
    await server?.close();
    await node?.stop();
    if (outDir !== "") await rm(outDir, { recursive: true, force: true });
  });

  /** A page with a wallet (unless `wallet` is null) at `width` px, on `screen`. */
  async function openApp(screen: string, wallet: WalletOptions | null = {}, width = DESKTOP_WIDTH): Promise<Page> {
    if (browser === undefined || node === undefined) throw new Error("not set up");
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    if (wallet !== null) {
      const url = node.url;
      await page.exposeFunction("__cwRpc", async (method: string, params: unknown[]) => {
        const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
        return response.json();
      });
      await page.addInitScript((options: { account: string; chainId: string | null; reject: boolean }) => {
        const state = { reject: options.reject };
        type Rpc = (method: string, params: unknown[]) => Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }>;
        const page = globalThis as unknown as { __cwRpc: Rpc; ethereum: object };
        const forward = page.__cwRpc;
        page.ethereum = {
          async request({ method, params }: { method: string; params?: unknown[] }): Promise<unknown> {
            if (method === "eth_requestAccounts" || method === "eth_accounts") return [options.account];
            if (method === "eth_chainId" && options.chainId !== null) return options.chainId;
            if (method === "eth_sendTransaction" && state.reject) {
              state.reject = false;
              throw Object.assign(new Error("User rejected the request."), { code: 4001 });
            }
            const answer = await forward(method, params ?? []);
            if (answer.error !== undefined) throw Object.assign(new Error(answer.error.message), answer.error);
            return answer.result;
          },
          on() {},
        };
      }, { account: wallet.account ?? DEPLOYER, chainId: wallet.chainId ?? null, reject: wallet.rejectNextTransaction ?? false });
    }
    await page.goto(`${appUrl}#${screen}`);
    await page.waitForSelector(`main[data-screen="${screen}"]`, { timeout: UI_TIMEOUT_MS });
    return page;
  }

  async function connect(page: Page): Promise<void> {
    await page.click("[data-testid=connect]");
    await page.waitForSelector("[data-testid=account]", { timeout: UI_TIMEOUT_MS });
    // The screen redraws for the connected account; wait for it, or input goes into the old elements.
    await page.waitForSelector("main[data-screen]:not([aria-busy])", { timeout: UI_TIMEOUT_MS });
  }

  async function statusText(page: Page, kind: "ok" | "error"): Promise<string> {
    await page.waitForSelector(`#status[data-kind=${kind}]`, { timeout: UI_TIMEOUT_MS });
    return (await page.textContent("#status")) ?? "";
  }

  /** Redraws the current screen (the app reads the chain afresh on every render). */
  async function reload(page: Page, screen: string): Promise<void> {
    await page.evaluate("window.dispatchEvent(new HashChangeEvent('hashchange'))");
    await page.waitForSelector(`main[data-screen="${screen}"]:not([aria-busy])`, { timeout: UI_TIMEOUT_MS });
  }

  it("walks a policy proposal from propose to execute through the wallet", async function () {
    const url = (node as HardhatNode).url;
    const page = await openApp("governance");
    await connect(page);
    await page.click("[data-testid=delegate]");
    expect(await statusText(page, "ok")).to.match(/^Delegate to .*: confirmed in block/);
    await advanceTime(url, 1);
    await reload(page, "governance");
    await page.fill("input[name=trimBps]", "2000");
    await page.selectOption("select[name=rule]", "trimmed-mean");
    await page.fill("input[name=description]", "Trimmed mean 20%");
    await page.click("[data-testid=propose]");
    await page.waitForSelector("[data-testid=proposal][data-state=Pending]", { timeout: UI_TIMEOUT_MS });

    await advanceTime(url, 24 * 3600 + 1);
    await reload(page, "governance");
    await page.selectOption("[data-testid=proposal] select[name=support]", "for");
    await page.fill("[data-testid=proposal] input[name=reason]", "robust to outliers");
    await page.click("[data-testid=vote]");
    expect(await statusText(page, "ok")).to.match(/^Vote for: confirmed/);
    await advanceTime(url, 7 * 24 * 3600);
    await reload(page, "governance");
    await page.click("[data-testid=queue]");
    await page.waitForSelector("[data-testid=proposal][data-state=Queued]", { timeout: UI_TIMEOUT_MS });
    await advanceTime(url, 2 * 24 * 3600);
    await reload(page, "governance");
    await page.click("[data-testid=execute]");
    await page.waitForSelector("[data-testid=proposal][data-state=Executed]", { timeout: UI_TIMEOUT_MS });

    await screenshot(page, "governance-executed-1280");
    const history = await page.textContent("[data-testid=policy-history]");
    expect(history).to.include("rule fedavg → trimmed-mean");
    expect(history).to.include("trimBps 1000 → 2000");
  });

  it("shows a policy field out of the registry's bounds, in the tasks' words, before anything is signed", async function () {
    const provider = new JsonRpcProvider((node as HardhatNode).url, undefined, { cacheTimeout: -1 });
    const nonceBefore = await provider.getTransactionCount(DEPLOYER);
    const page = await openApp("governance");
    await connect(page);
    await page.fill("input[name=trimBps]", "6000");
    await page.click("[data-testid=propose]");
    await page.waitForSelector("[data-testid=propose-error]:not([hidden])", { timeout: UI_TIMEOUT_MS });

    expect(await page.textContent("[data-testid=propose-error]")).to.equal("--trim-bps 6000 is out of bounds: the policy registry allows 0..4999");
    expect(await provider.getTransactionCount(DEPLOYER)).to.equal(nonceBefore);
    provider.destroy();
  });

  it("shows a contributor's receipt with reward and proof, and claims it once the challenge window is over", async function () {
    await advanceTime((node as HardhatNode).url, DEVNET_POLICY.challengeWindowSeconds + 1);
    const page = await openApp("contributor", { account: CONTRIBUTOR });
    await connect(page);
    const receipt = `[data-testid=receipt][data-round="${finalized.roundId}"]`;
    await page.waitForSelector(`${receipt}[data-outcome=selected]`, { timeout: UI_TIMEOUT_MS });
    expect(await page.textContent(`${receipt} [data-testid=reward]`)).to.equal("600 CWT");
    expect(await page.locator(`${receipt} ol.proof li`).count()).to.be.greaterThan(0);
    expect(await page.textContent(`${receipt} [data-testid=why]`)).to.include("proof verifies against the chain's rewards root");
    const token = connectContracts(deployment, new JsonRpcProvider((node as HardhatNode).url, undefined, { cacheTimeout: -1 })).token;
    const before = await token.balanceOf(CONTRIBUTOR);

    await page.click(`${receipt} [data-testid=claim]`);
    expect(await statusText(page, "ok")).to.match(/^Claim 600 CWT from round \d+: confirmed/);
    await page.waitForSelector(`${receipt} [data-testid=claimed]:text("yes")`, { timeout: UI_TIMEOUT_MS });

    expect((await token.balanceOf(CONTRIBUTOR)) - before).to.equal(finalized.rewards.get(CONTRIBUTOR));
  });

  it("the rounds screen tells the finalized round's phase, split and lineage in words", async function () {
    const page = await openApp("rounds", null);
    const round = `[data-testid=round][data-round="${finalized.roundId}"]`;
    await page.waitForSelector(round, { timeout: UI_TIMEOUT_MS });
    const text = (await page.textContent(round)) ?? "";

    expect(await page.textContent(`${round} [data-testid=round-status]`)).to.equal("Finalized");
    expect(text).to.match(/Finalized; challenge window open until \d{4}-.* \(rewards claimable after it\)/);
    expect(text).to.include("contributors 800 CWT · operators 100 CWT · treasury 100 CWT");
    expect(text).to.include("2 of 2 commitments");
    expect(text).to.match(/base model v1 \(0x[0-9a-f]{4}…[0-9a-f]{4}\) → v2/);
  });

  /** Disputes the finalized round and proposes its resolution with a recomputation summary as the description. */
  async function raiseDispute(): Promise<string> {
    const summary = [
      `Resolve the dispute of round ${finalized.roundId}: REJECT (the signed result is right)`,
      "",
      `Recomputation (cw verify-round ${finalized.roundId}, backend cpu):`,
      "- resultDigest: chain 0xabc, recomputed 0xabc (match)",
    ].join("\n");
    await disputeRound(node as HardhatNode, deployment, finalized);
    await proposeResolution(node as HardhatNode, deployment, finalized.roundId, false, summary);
    return summary;
  }

  it("the governance screen lists a disputed round with its challenger, bond, signers, recompute command and resolution summary", async function () {
    const summary = await raiseDispute();
    const page = await openApp("governance", null);
    const item = `[data-testid=dispute][data-round="${finalized.roundId}"]`;
    await page.waitForSelector(item, { timeout: UI_TIMEOUT_MS });
    const text = (await page.textContent(item)) ?? "";
    const dispute = await connectContracts(deployment, new JsonRpcProvider((node as HardhatNode).url, undefined, { cacheTimeout: -1 })).rounds.disputeOf(finalized.roundId);

    expect(text).to.include("0xf39F…2266");
    expect(text).to.include(`Bond${formatTokens(dispute.bond)}`);
    expect(text).to.include(dispute.digest);
    expect(dispute.signers).to.have.length(2);
    for (const signer of dispute.signers) expect(text).to.include(`${signer.slice(0, 6)}…${signer.slice(-4)}`);
    expect(text).to.match(/Raised\d{4}-\d{2}-\d{2}/);
    expect(await page.textContent(`${item} [data-testid=verify-command]`)).to.equal(`npx cw verify-round ${finalized.roundId} --rpc-url ${(node as HardhatNode).url}`);
    expect(await page.textContent(`${item} [data-testid=dispute-summary]`)).to.equal(summary);
    expect(await page.textContent(`${item} [data-testid=dispute-proposal]`)).to.match(/^Reject, Pending/);
  });

  it("a sponsor approves and opens a round", async function () {
    const page = await openApp("sponsor");
    await connect(page);
    // At most what the quorum's stake covers: 2 operators × 1000 CWT × wrongResultBps 100% ≥ 90% of the budget.
    await page.fill("input[name=budget]", "2000");
    await page.click("[data-testid=open-round]");
    await page.waitForSelector("[data-testid=opened]:not([hidden])", { timeout: UI_TIMEOUT_MS });

    expect(await page.textContent("[data-testid=opened]")).to.equal(`Round ${finalized.roundId + 1n} is open: contributors get 1600 CWT.`);
  });

  it("a rejected signature says nothing was sent", async function () {
    const page = await openApp("sponsor", { rejectNextTransaction: true });
    await connect(page);
    await page.fill("input[name=budget]", "10");
    await page.click("[data-testid=open-round]");

    expect(await statusText(page, "error")).to.equal("Approve 10 CWT failed: You rejected the request in your wallet; nothing was sent.");
  });

  it("a revert is shown as the contract's custom error with amounts in tokens", async function () {
    // The contributor staked 10000 CWT; 100 CWT stay locked by the finalized round until it releases them.
    const page = await openApp("contributor", { account: CONTRIBUTOR });
    await connect(page);
    await page.fill("input[name=stake-amount]", "50000");
    await page.click("text=Request unstake");

    const shown = await statusText(page, "error");
    expect(shown, shown).to.match(/StakingInsufficientFreeStake\(account=0x15d3\w+, free=9900 CWT, required=50000 CWT\)/);
  });

  it("a wallet on another chain gets a wrong-network message", async function () {
    const page = await openApp("governance", { chainId: "0x1" });
    await page.click("[data-testid=connect]");

    expect(await statusText(page, "error")).to.match(/^Wrong network: your wallet is on chain 1, this deployment .* is on chain 31337/);
  });

  it("without a wallet, connecting says to install one", async function () {
    const page = await openApp("governance", null);
    await page.click("[data-testid=connect]");

    expect(await statusText(page, "error")).to.match(/^No wallet found/);
  });

  it("every screen, with an open dispute, fits 420 px without sideways scrolling (screenshots at 1280 and 420 px)", async function () {
    await raiseDispute();
    const overflowing: string[] = [];
    for (const screen of SCREENS) {
      for (const width of [DESKTOP_WIDTH, PHONE_WIDTH]) {
        const page = await openApp(screen, { account: CONTRIBUTOR }, width);
        await connect(page);
        await page.waitForSelector(`main[data-screen="${screen}"]:not([aria-busy])`, { timeout: UI_TIMEOUT_MS });
        if (screen === "governance") await page.waitForSelector("[data-testid=dispute-summary]", { timeout: UI_TIMEOUT_MS });
        await screenshot(page, `${screen}-${width}`);
        const overflow = await horizontalOverflow(page);
        if (width === PHONE_WIDTH && overflow > 0) overflowing.push(`${screen}: ${overflow} px (${(await overflowingElements(page)).join("; ")})`);
      }
    }

    expect(overflowing).to.deep.equal([]);
  });
});
