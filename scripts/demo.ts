// `npm run demo [-- options]`: the whole system end to end on one machine. See README.md.
import { Command, InvalidArgumentError, Option } from "commander";

import { loadConfig } from "../oracle/config.ts";
import { DEFAULT_DEMO_OPTIONS, runDemo } from "../oracle/demo/run-demo.ts";
import { OracleError } from "../oracle/errors.ts";

function integer(min: number, max: number): (text: string) => number {
  return (text) => {
    if (!/^[0-9]+$/.test(text) || Number(text) < min || Number(text) > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return Number(text);
  };
}

const d = DEFAULT_DEMO_OPTIONS;
const program = new Command("demo")
  .description("run Commonweight end to end: contributors train privately, operators agree, the DAO changes the rule, people get paid, cheaters don't")
  .option("--rounds <n>", "training rounds", integer(1, 50), d.rounds)
  .option("--contributors <n>", "contributors (with 5 or more, the last three are a poisoner, a norm cheat and a non-revealer)", integer(2, 15), d.contributors)
  .option("--operators <n>", "oracle operators (a majority must agree)", integer(1, 5), d.operators)
  .option("--workers <n>", "compute worker processes per operator", integer(0, 8), d.workers)
  .option("--network <name>", "hardhat (in-process chain) or localhost (a running `npx hardhat node`)", d.network)
  .option("--redis-url <url>", "Redis to use (default: REDIS_URL, else 127.0.0.1:6379, else a private redis-server)")
  .option("--seed <seed>", "seed of the data split, partitions and genesis model", d.seed)
  .option("--epochs <n>", "local training epochs per round", integer(1, 20), d.epochs)
  .addOption(new Option("--partition <scheme>", "how the digits are split among contributors").choices(["iid", "shards", "dirichlet"]).default(d.partition))
  .option("--report-dir <dir>", "where the HTML report goes", d.reportDir)
  .option("--json <file>", "also write the summary as JSON")
  .option("--quiet", "no progress output", false)
  .showHelpAfterError(false);

program.parse();
const opts = program.opts<{ rounds: number; contributors: number; operators: number; workers: number; network: string; redisUrl?: string; seed: string; epochs: number; partition: "iid" | "shards" | "dirichlet"; reportDir: string; json?: string; quiet: boolean }>();
try {
  await runDemo({
    ...opts,
    redisUrl: opts.redisUrl ?? loadConfig().REDIS_URL,
    jsonFile: opts.json,
  });
  process.exit(0);
} catch (err) {
  if (err instanceof OracleError) {
    process.stderr.write(`demo: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
