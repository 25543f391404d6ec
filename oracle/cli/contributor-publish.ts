import type { Command } from "commander";

import { ContributorConfigSchema, describeSettings, loadContributorConfig } from "../config.ts";
import { publishFiles } from "../contributor/publish.ts";
import { createLogger } from "../logger.ts";
import { startIpfsNode } from "../storage/ipfs-node.ts";
import { untilSignal } from "./signals.ts";

/** `cw contributor publish <files...>`: add files to this machine's IPFS node and keep providing them. */
export function registerPublish(contributor: Command): void {
  contributor
    .command("publish")
    .description("add update (or model) files to your own IPFS node and keep providing them until Ctrl-C; prints the hash and ipfs:// URI to commit")
    .argument("[files...]", "files to publish (none: keep providing what this repo has pinned)")
    .option("--once", "add and pin, then exit (another `publish` on the same IPFS_REPO provides them later)")
    .option("--env-file <file>", "read settings from this file (default: .env when present)")
    .option("--json", "print one JSON object per line instead of text")
    .addHelpText("after", `\nSettings (environment variables or an --env-file; default, description):\n${describeSettings(ContributorConfigSchema)}\n`)
    .action(async (files: string[], opts: { once?: boolean; envFile?: string; json?: boolean }) => {
      const config = loadContributorConfig({ envFile: opts.envFile, requireKey: false });
      const log = createLogger(config).child({ process: "publish" });
      const node = await startIpfsNode(config, log, { persistentIdentity: true });
      const print = (value: object, text: string): void => {
        process.stdout.write(opts.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
      };
      try {
        for (const p of await publishFiles(node, files)) {
          print({ published: p }, `published ${p.file}: ${p.hash} (${p.sizeBytes} bytes) at ${p.uri}\nnext: cw contributor commit --hash ${p.hash} --uri ${p.uri}`);
        }
        const addresses = node.multiaddrs();
        print({ providing: { peerId: node.peerId, multiaddrs: addresses } }, `providing as ${node.peerId} at ${addresses.join(", ")}\n  operators and auditors add one of these to their IPFS_PEERS; keep this running until the round is finalized (Ctrl-C stops)`);
        if (!opts.once) await untilSignal();
      } finally {
        await node.stop();
      }
    });
}
