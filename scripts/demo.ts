// `npm run demo [-- options]`: the whole system end to end on one machine. See README.md.
import { Command, InvalidArgumentError, Option } from "commander";

import { EXIT_BAD_INPUT, debugRequested, reportFailure } from "../oracle/cli/failure.ts";
import { loadConfig } from "../oracle/config.ts";
import { DEFAULT_DEMO_OPTIONS, runDemo } from "../oracle/demo/run-demo.ts";
import { InvalidInputError, RedisUnavailableError } from "../oracle/errors.ts";
import { pingRedis, redactUrl } from "../oracle/operator/redis-server.ts";

function integer(min: number, max: number): (text: string) => number {
  return (text) => {
    if (!/^[0-9]+$/.test(text) || Number(text) < min || Number(text) > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return Number(text);
  };
}

function redisUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError("expected a Redis URL such as redis://127.0.0.1:6379");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new InvalidArgumentError("expected a redis:// or rediss:// URL");
  return text;
}

/** Milliseconds a configured HTTP network's node has to answer before the demo says there is none. */
const NODE_PROBE_TIMEOUT_MS = 3_000;

/**
 * Checks `--network` before anything starts: "hardhat" (the in-process chain) or a network of hardhat.config.ts whose
 * node answers. Turns Hardhat's HHE705 (unknown network) and HHE703 (no node) into one line each.
 * @throws {InvalidInputError} naming the network and what to do.
 */
async function checkNetwork(name: string): Promise<void> {
  if (name === "hardhat") return;
  const { config } = await import("hardhat");
  const network = config.networks[name];
  if (network === undefined) {
    throw new InvalidInputError(`--network ${name}: no such network in hardhat.config.ts (configured: hardhat, ${Object.keys(config.networks).join(", ")})`);
  }
  if (network.type !== "http") return;
  const url = await network.url.get();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(NODE_PROBE_TIMEOUT_MS),
    });
    await response.body?.cancel();
  } catch (err) {
    throw new InvalidInputError(`--network ${name}: no node answers at ${url} (start one with \`npx hardhat node\`, or pick another network)`, { cause: err });
  }
}

const d = DEFAULT_DEMO_OPTIONS;
const program = new Command("demo")
  .description("run Commonweight end to end: contributors train privately, operators agree, the DAO changes the rule, people get paid, cheaters don't")
  .option("--rounds <n>", "training rounds", integer(1, 50), d.rounds)
  .option("--contributors <n>", "contributors (with 5 or more, the last three are a poisoner, a norm cheat and a non-revealer)", integer(2, 15), d.contributors)
  .option("--operators <n>", "oracle operators (a majority must agree)", integer(1, 5), d.operators)
  .option("--workers <n>", "compute worker processes per operator", integer(0, 8), d.workers)
  .option("--network <name>", "hardhat (in-process chain) or localhost (a running `npx hardhat node`)", d.network)
  .option("--redis-url <url>", "Redis to use (default: REDIS_URL, else 127.0.0.1:6379, else a private redis-server)", redisUrl)
  .option("--seed <seed>", "seed of the data split, partitions and genesis model", d.seed)
  .option("--epochs <n>", "local training epochs per round", integer(1, 20), d.epochs)
  .addOption(new Option("--partition <scheme>", "how the digits are split among contributors").choices(["iid", "shards", "dirichlet"]).default(d.partition))
  .option("--report-dir <dir>", "where the HTML report goes", d.reportDir)
  .option("--json <file>", "also write the summary as JSON")
  .option("--quiet", "no progress output", false)
  .option("--debug", "print the stack trace of a failure (or set DEBUG=1)", false)
  .configureOutput({ writeErr: (text) => process.stderr.write(text.split("\n")[0] + "\n") })
  .showHelpAfterError(false);

program.parse();
const { debug, ...opts } = program.opts<{ rounds: number; contributors: number; operators: number; workers: number; network: string; redisUrl?: string; seed: string; epochs: number; partition: "iid" | "shards" | "dirichlet"; reportDir: string; json?: string; quiet: boolean; debug: boolean }>();
try {
  await checkNetwork(opts.network);
  if (opts.redisUrl !== undefined && !(await pingRedis(opts.redisUrl))) {
    throw new RedisUnavailableError(`--redis-url: no Redis answers at ${redactUrl(opts.redisUrl)}; start it, or drop --redis-url to let the demo find or start one`);
  }
  await runDemo({
    ...opts,
    redisUrl: opts.redisUrl ?? loadConfig().REDIS_URL,
    jsonFile: opts.json,
  });
  process.exit(0);
} catch (err) {
  // Hardhat's own errors (HHE…: a bad config, a network it cannot open) say what is wrong in their first line.
  let code: number;
  if (err instanceof Error && /^HHE\d+: /.test(err.message)) {
    process.stderr.write(`demo: ${err.message.split("\n")[0]}\n`);
    if (debug || debugRequested()) process.stderr.write(`${err.stack ?? ""}\n`);
    code = EXIT_BAD_INPUT;
  } else {
    code = await reportFailure("demo", err, debug || debugRequested());
  }
  // Exit once stderr has drained (lingering handles of a half-started run would keep the process alive).
  process.stderr.write("", () => process.exit(code));
}
