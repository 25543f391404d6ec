// The web app's entry: loads the deployment, draws the navigation and the wallet button, and renders the screen
// named in the URL hash (#governance, #rounds, #contributor, #sponsor).
import "./style.css";

import { AppError } from "./app-error.ts";
import { connectWallet, loadChain, type Chain, type Wallet } from "./chain.ts";
import { h } from "./dom.ts";
import { short } from "./format.ts";
import type { Screen, ScreenContext } from "./screen.ts";
import { contributorScreen } from "./screens/contributor.ts";
import { governanceScreen } from "./screens/governance.ts";
import { roundsScreen } from "./screens/rounds.ts";
import { sponsorScreen } from "./screens/sponsor.ts";
import { guarded, showStatus } from "./status.ts";
import { describeError } from "./transactions.ts";

const SCREENS: readonly Screen[] = [governanceScreen, roundsScreen, contributorScreen, sponsorScreen];

let wallet: Wallet | undefined;

function currentScreen(): Screen {
  const id = location.hash.replace(/^#/, "");
  return SCREENS.find((s) => s.id === id) ?? governanceScreen;
}

function drawNav(): void {
  const nav = document.getElementById("nav");
  if (nav === null) return;
  const active = currentScreen();
  nav.replaceChildren(...SCREENS.map((s) => h("a", { href: `#${s.id}`, class: s === active ? "active" : "", "aria-current": s === active ? "page" : undefined }, s.title)));
}

function drawWallet(chain: Chain): void {
  const el = document.getElementById("wallet");
  if (el === null) return;
  const network = h("span", { class: "network" }, `${chain.deployment.network} · chain ${chain.deployment.chainId}`);
  if (wallet !== undefined) {
    el.replaceChildren(network, h("span", { class: "account", "data-testid": "account", title: wallet.address }, short(wallet.address)));
    return;
  }
  const connect = h("button", { type: "button", "data-testid": "connect", onclick: guarded(async () => {
    wallet = await connectWallet(chain);
    showStatus("ok", `Connected ${wallet.address}.`);
    await render(chain);
  }, describeError) }, "Connect wallet");
  el.replaceChildren(network, connect);
}

async function render(chain: Chain): Promise<void> {
  drawNav();
  drawWallet(chain);
  const main = document.getElementById("screen");
  if (main === null) return;
  const screen = currentScreen();
  const context: ScreenContext = { chain, wallet, refresh: () => render(chain) };
  main.setAttribute("aria-busy", "true");
  try {
    main.replaceChildren(await screen.render(context));
  } catch (err) {
    main.replaceChildren(h("p", { class: "error" }, `Cannot show ${screen.title}: ${describeError(err)}`));
  } finally {
    main.removeAttribute("aria-busy");
    main.dataset.screen = screen.id;
  }
}

async function start(): Promise<void> {
  let chain: Chain;
  try {
    chain = await loadChain();
  } catch (err) {
    showStatus("error", err instanceof AppError ? err.message : describeError(err));
    return;
  }
  window.addEventListener("hashchange", () => void render(chain));
  window.ethereum?.on?.("accountsChanged", () => {
    wallet = undefined;
    showStatus("info", "The wallet's account changed: connect again.");
    void render(chain);
  });
  window.ethereum?.on?.("chainChanged", () => {
    wallet = undefined;
    showStatus("info", "The wallet's network changed: connect again.");
    void render(chain);
  });
  await render(chain);
}

void start();
