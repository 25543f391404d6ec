import type { Chain, Wallet } from "./chain.ts";

/** What every screen gets: the chain, the wallet if connected, and a way to redraw after a transaction. */
export interface ScreenContext {
  readonly chain: Chain;
  readonly wallet: Wallet | undefined;
  refresh(): Promise<void>;
}

/** One screen of the app. */
export interface Screen {
  readonly id: string;
  readonly title: string;
  render(context: ScreenContext): Promise<HTMLElement>;
}
