import { type Command } from "commander";

import { verifyRound } from "../../auditor/verify-round.ts";
import { connectContracts } from "../../chain/contracts.ts";
import { providerFor } from "../../chain/connect.ts";
import { readDeployment } from "../../chain/deployment.ts";
import { createBackend } from "../../compute/backends.ts";
import { loadAuditorConfig } from "../../config.ts";
import { InvalidInputError } from "../../errors.ts";
import { createLogger } from "../../logger.ts";
import { canonicalJson } from "../../protocol/result.ts";
import { lazyIpfsReader } from "../../storage/ipfs-node.ts";

/** Exit status when the recomputation disagrees with the chain. */
const EXIT_MISMATCH = 1;

/** `cw verify-round <roundId>`: the auditor's tool. */
export function register(program: Command): void {
  program
    .command("verify-round")
    .description("recompute a round from the chain and the public update files; exit 1 if the chain's result differs")
    .argument("<roundId>", "the round id")
    .option("--rpc-url <url>", "JSON-RPC endpoint (default: RPC_URL or http://127.0.0.1:8545)")
    .option("--deployment <file>", "deployment manifest (default: DEPLOYMENT or deployments/localhost.json)")
    .option("--backend <name>", "compute backend: cpu, tfjs or auto", "auto")
    .action(async (roundIdText: string, opts: { rpcUrl?: string; deployment?: string; backend: string }) => {
      if (!/^[1-9][0-9]{0,76}$/.test(roundIdText)) throw new InvalidInputError(`round id must be a positive integer, got ${JSON.stringify(roundIdText)}`);
      const config = loadAuditorConfig({ flags: { RPC_URL: opts.rpcUrl, DEPLOYMENT: opts.deployment } });
      const deployment = await readDeployment(config.DEPLOYMENT);
      const provider = providerFor(config.RPC_URL, deployment.chainId);
      const backend = await createBackend(opts.backend);
      const ipfs = lazyIpfsReader(config, createLogger({ LOG_LEVEL: "warn" }));
      try {
        const report = await verifyRound({
          contracts: connectContracts(deployment, provider),
          deployment,
          roundId: BigInt(roundIdText),
          backend,
          limits: { maxBytes: config.FETCH_MAX_BYTES, timeoutMs: config.FETCH_TIMEOUT_MS, ipfs },
        });
        process.stdout.write(`${canonicalJson(report)}\n`);
        if (!report.match) process.exitCode = EXIT_MISMATCH;
      } finally {
        await backend.dispose();
        await ipfs.close();
        provider.destroy();
      }
    });
}
