// The multi-host scenario (`npm run test:multihost`): runs on the chain host, drives the others.
// Side-effect free: nothing runs at import time.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Duplex } from "node:stream";

import { ZeroHash, hexlify, randomBytes } from "ethers";

import { DEVNET_POLICY, devAccountKey, startDevnet, type Devnet } from "../../oracle/devnet/devnet.ts";
import { decodeRoundStatus } from "../../oracle/chain/enums.ts";
import { syntheticUpdate } from "../e2e/support.ts";
import { startRedisCluster, type TestRedisCluster } from "../support/redis-cluster.ts";
import { bytesMoved, pidsIn, requestPartition, runOn, startOn, type Host } from "./netns.ts";

const CW = "bin/cw.js";
const PARTITION_MS = 30_000;
/** A Hardhat development account no other actor uses (0 deployer, 1 sponsor, 2-3 operators, 4-7 contributors). */
const KEEPER_ACCOUNT = 9;

/** What the scenario measured. */
export interface ScenarioReport {
  readonly closeToFinalizedMs: number;
  readonly bytes: Record<string, { sent: number; received: number }>;
}

type Hosts = Record<"chain" | "opA" | "opB" | "opBWorkers" | "redisCluster" | "auditor" | "keeper" | "c1" | "c2" | "c3" | "c4", Host>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const scenarioStart = Date.now();
/** One progress line per stage, so that a failed run's output says how far it got. */
const progress = (what: string): void => console.log(`multihost: ${((Date.now() - scenarioStart) / 1000).toFixed(1).padStart(6)} s  ${what}`);

/**
 * Resolves once `child` has printed a line containing `text` (its log goes to a file as well),
 * rejects when it exits first or `timeoutMs` passes.
 */
function untilPrinted(child: ChildProcess, text: string, what: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const done = (err?: Error): void => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString()).slice(-(text.length + 65_536));
      if (seen.includes(text)) done();
    };
    const onExit = (code: number | null): void => done(new Error(`${what} exited (code ${code}) before it printed "${text}"`));
    const timer = setTimeout(() => done(new Error(`${what} did not print "${text}" within ${timeoutMs / 1000} s`)), timeoutMs);
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

/** A static file server on `host` (a contributor's own web space), as a node one-liner. */
const STATIC_SERVER = `const [dir, host] = process.argv.slice(1); require("node:http").createServer((q, s) => require("node:fs").createReadStream(require("node:path").join(dir, require("node:path").basename(q.url))).on("error", () => { s.statusCode = 404; s.end(); }).pipe(s)).listen(8000, host);`;

/**
 * Runs the scenario: deploy on the chain host's `hardhat node`, two operators (A: own Redis on its
 * host; B: the 3-master cluster on another host, its workers on a third), four contributors
 * publishing over IPFS (c1, c2) and HTTP (c3, c4); mid-round A's host is partitioned for 30 s,
 * B's main process is killed and restarted, and B's attest is reorged away (evm_revert). Asserts, then stops everything and checks no process
 * is left in any namespace.
 */
export async function runScenario(hosts: Hosts, work: string, execPath: string, control: Duplex): Promise<ScenarioReport> {
  const procs = new Set<ChildProcess>();
  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "warn", ...extra });
  const start = (host: Host, name: string, command: readonly string[], extra: Record<string, string>): ChildProcess => {
    const child = startOn(host, command, env(extra), join(work, `${name}.log`));
    procs.add(child);
    child.once("exit", () => procs.delete(child));
    return child;
  };
  const stopGracefully = async (child: ChildProcess): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(30_000)]);
  };

  // The chain.
  const chain = start(hosts.chain, "hardhat-node", [execPath, "node_modules/hardhat/dist/src/cli.js", "node", "--hostname", "0.0.0.0", "--port", "8545"], {});
  const rpc = `http://${hosts.chain.ip}:8545`;
  for (let i = 0; ; i += 1) {
    const up = await fetch("http://127.0.0.1:8545", { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' }).then((r) => r.ok, () => false);
    if (up) break;
    assert.ok(i < 600 && chain.exitCode === null, `hardhat node did not start (see ${join(work, "hardhat-node.log")})`);
    await sleep(200);
  }
  let passed = false;
  let devnet: Devnet | undefined;
  let cluster: TestRedisCluster | undefined;
  try {
    progress("hardhat node up");
    devnet = await startDevnet({ dir: join(work, "chain"), operators: 2, contributors: 4, operatorThreshold: 2n, policy: DEVNET_POLICY, network: "localhost" });
    const d = devnet;
    const { rounds } = d.as(d.sponsor);
    const mine = (): Promise<unknown> => d.connection.provider.request({ method: "evm_mine", params: [] });

    // Open the round; contributors make their updates and publish them from their own hosts.
    await (await rounds.open(d.deployment.contracts.token, 1_000n * 10n ** 18n)).wait();
    const roundId = await rounds.roundCount();
    const round = await rounds.round(roundId);
    const base = await d.as(d.sponsor).modelRegistry.modelVersion(round.baseModelVersion);
    progress(`deployed; round ${roundId} open`);
    const contributorHosts = [hosts.c1, hosts.c2, hosts.c3, hosts.c4];
    const published: { hash: string; uri: string }[] = [];
    const ipfsPeers: string[] = [];
    for (const [i, host] of contributorHosts.entries()) {
      const dir = join(work, host.name);
      await mkdir(dir, { recursive: true });
      const update = syntheticUpdate(`multihost-${i}`, roundId, base.modelHash);
      const file = join(dir, "update.safetensors");
      await writeFile(file, update.bytes);
      if (i < 2) {
        const publisher = start(host, `${host.name}-publish`, [execPath, CW, "contributor", "publish", file, "--json"], {
          IPFS_REPO: join(dir, "ipfs"), IPFS_LISTEN: `/ip4/${host.ip}/tcp/4001`, IPFS_PEERS: "",
        });
        const lines = createInterface({ input: publisher.stdout! });
        let uri = "";
        for await (const line of lines) {
          const record = JSON.parse(line) as { published?: { uri: string; hash: string }; providing?: { multiaddrs: string[] } };
          if (record.published) {
            assert.equal(record.published.hash, update.hash, "publish printed another hash than the file's");
            uri = record.published.uri;
          }
          if (record.providing) {
            ipfsPeers.push(...record.providing.multiaddrs.filter((a) => a.includes(host.ip)));
            break;
          }
        }
        published.push({ hash: update.hash, uri });
      } else {
        start(host, `${host.name}-http`, [execPath, "-e", STATIC_SERVER, dir, host.ip], {});
        published.push({ hash: update.hash, uri: `http://${host.ip}:8000/update.safetensors` });
      }
    }

    progress("four updates published (two over IPFS, two over HTTP)");
    // Operators: A with its own Redis on its host; B on the 3-master cluster, its workers on another host.
    cluster = await startRedisCluster({ host: hosts.redisCluster.ip, launcher: ["ip", "netns", "exec", hosts.redisCluster.ns] });
    const clusterUrl = `redis+cluster://${cluster.nodes[1]!.host}:${cluster.nodes[1]!.port}`;
    start(hosts.opA, "opA-redis", ["redis-server", "--port", "6379", "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir", join(work, "opA"), "--maxmemory-policy", "noeviction"], {});
    await mkdir(join(work, "opA"), { recursive: true });
    const operatorEnv = (i: number, redisUrl: string): Record<string, string> => ({
      REDIS_URL: redisUrl, RPC_URL: rpc, DEPLOYMENT: d.manifestPath, ORACLE_PRIVATE_KEY: d.operators[i]!.privateKey,
      CONFIRMATIONS: "1", POLL_INTERVAL_MS: "500", BACKEND: "cpu", SHARD_SIZE: "16384", FETCH_TIMEOUT_MS: "20000", METRICS_PORT: "0",
      LOCK_DURATION_MS: "20000", RECONCILE_INTERVAL_MS: "3000", STORE_DIR: join(work, `op${i}`, "store"), WORK_DIR: join(work, `op${i}`, "work"),
      IPFS_REPO: join(work, `op${i}`, "ipfs"), IPFS_PEERS: ipfsPeers.join(","), WORKERS: "0",
    });
    await sleep(1_000);
    // At info level, so that the scenario sees "operator started" (the faults below are mid-round
    // faults; an operator that cannot reach its chain while it starts exits, by design).
    const startA = (): ChildProcess => start(hosts.opA, "opA", [execPath, CW, "operator", "start"], { ...operatorEnv(0, "redis://127.0.0.1:6379"), LOG_LEVEL: "info" });
    const startB = (): ChildProcess => start(hosts.opB, "opB", [execPath, CW, "operator", "start"], { ...operatorEnv(1, clusterUrl), LOG_LEVEL: "info" });
    const mainA = startA();
    let mainB = startB();
    const operatorsStarted = Promise.all([untilPrinted(mainA, "operator started", "operator A", 120_000), untilPrinted(mainB, "operator started", "operator B", 120_000)]);
    operatorsStarted.catch(() => undefined); // awaited below, before the faults
    const { ORACLE_PRIVATE_KEY: _key, ...workerEnv } = operatorEnv(1, clusterUrl);
    start(hosts.opBWorkers, "opB-worker", [execPath, CW, "operator", "worker"], workerEnv);

    // Commit, reveal, close.
    const salts = contributorHosts.map(() => hexlify(randomBytes(32)));
    for (const [i, c] of d.contributors.entries()) {
      const commitment = await rounds.computeCommitment(roundId, c.address, published[i]!.hash, salts[i]!);
      await (await d.as(c).rounds.commit(roundId, commitment)).wait();
    }
    await d.connection.networkHelpers.time.increaseTo(Number(round.commitEnd));
    for (const [i, c] of d.contributors.entries()) await (await d.as(c).rounds.reveal(roundId, published[i]!.hash, salts[i]!, published[i]!.uri)).wait();
    await d.connection.networkHelpers.time.increaseTo(Number(round.revealEnd));
    const revealEndedAt = Date.now();
    // The keeper, on its own host, closes the round as soon as the reveal window is over.
    start(hosts.keeper, "keeper", [execPath, CW, "keeper", "run"], {
      RPC_URL: rpc, DEPLOYMENT: d.manifestPath, KEEPER_PRIVATE_KEY: devAccountKey(KEEPER_ACCOUNT), POLL_INTERVAL_MS: "1000", METRICS_PORT: "0",
      KEEPER_RECOMPUTE: "false",
    });
    await mine();
    while (decodeRoundStatus((await rounds.round(roundId)).status) !== "Closed") {
      assert.ok(Date.now() - revealEndedAt < 180_000, "the keeper did not close the round within 180 s");
      await sleep(250);
    }
    const closedAt = Date.now();
    progress("the keeper closed the round");
    await operatorsStarted;
    progress("both operators started");
    const beforeAttests = String(await d.connection.provider.request({ method: "evm_snapshot", params: [] }));

    // Mid-round faults: A's host partitioned (at least 30 s, and until B's attest has been reorged
    // away, so that A cannot attest meanwhile); B's main process killed and restarted.
    await requestPartition(control, hosts.opA, true);
    const partitionedAt = Date.now();
    await sleep(3_000);
    mainB.kill("SIGKILL");
    await sleep(2_000);
    mainB = startB();
    progress("operator A's host partitioned; operator B's main process killed and restarted");

    // One attest reorged away: once B has attested, the chain reverts to just after the close and
    // grows other blocks; B's reconciler must attest again, with the same digest.
    const operatorB = d.operators[1]!.signer.address;
    let reorgedDigest = "";
    while (reorgedDigest === "") {
      assert.ok(Date.now() - closedAt < 300_000, "operator B did not attest within 300 s of the close");
      await mine();
      await sleep(1_000);
      const digest = await rounds.attestationOf(roundId, operatorB);
      if (digest !== ZeroHash) reorgedDigest = digest;
    }
    progress("operator B attested; reorging its attest away");
    assert.equal(await d.connection.provider.request({ method: "evm_revert", params: [beforeAttests] }), true, "evm_revert failed");
    assert.equal(await rounds.attestationOf(roundId, operatorB), ZeroHash, "the reorg did not remove B's attest");
    await sleep(Math.max(0, PARTITION_MS - (Date.now() - partitionedAt)));
    await requestPartition(control, hosts.opA, false);
    progress("operator A's partition lifted");

    let status = "";
    for (;;) {
      status = decodeRoundStatus((await rounds.round(roundId)).status);
      if (status === "Finalized" || status === "Failed") break;
      if (Date.now() - closedAt >= 400_000) {
        const attested = await Promise.all(d.operators.map(async (o, i) => `operator ${"AB"[i]} ${(await rounds.attestationOf(roundId, o.signer.address)) === ZeroHash ? "has not attested" : "attested"}`));
        assert.fail(`round still ${status} 400 s after close (${attested.join(", ")})`);
      }
      await mine();
      await sleep(1_000);
    }
    const closeToFinalizedMs = Date.now() - closedAt;
    progress(`round ${status}`);
    assert.equal(await rounds.attestationOf(roundId, operatorB), reorgedDigest, "B attested another digest after the reorg");
    assert.equal(status, "Finalized");

    // Exactly one finalization; each operator attests at most once per digest.
    const finalized = await rounds.queryFilter(rounds.filters.RoundFinalized(roundId));
    assert.equal(finalized.length, 1, "the round finalized more than once");
    const attests = await rounds.queryFilter(rounds.filters.Attested(roundId));
    const seen = new Set<string>();
    for (const e of attests) {
      const key = `${e.args.operator}-${e.args.digest}`;
      assert.ok(!seen.has(key), `operator ${e.args.operator} attested digest ${e.args.digest} twice`);
      seen.add(key);
    }
    for (const o of d.operators) assert.notEqual(await rounds.attestationOf(roundId, o.signer.address), ZeroHash, "an operator did not attest");

    // The auditor, on its own host, recomputes the round and agrees.
    const audit = await runOn(hosts.auditor, [execPath, CW, "verify-round", String(roundId), "--backend", "cpu"], env({
      RPC_URL: rpc, DEPLOYMENT: d.manifestPath, IPFS_REPO: join(work, "auditor", "ipfs"), IPFS_PEERS: ipfsPeers.join(","), FETCH_TIMEOUT_MS: "20000",
    }));
    assert.equal(audit.status, 0, `cw verify-round failed: ${audit.stderr.slice(-2000)}`);
    assert.match(audit.stdout, /"match":true/);

    progress("the auditor's recomputation matches");
    // Claims: each contributor claims from its own host (recomputing the round itself).
    // The claim window opens after the challenge window: advance chain time past it.
    await d.connection.networkHelpers.time.increase(Number(DEVNET_POLICY.challengeWindowSeconds) + 60);
    await mine();
    for (const [i, host] of contributorHosts.entries()) {
      const claim = await runOn(host, [execPath, CW, "contributor", "claim", "--round", String(roundId), "--json"], env({
        RPC_URL: rpc, DEPLOYMENT: d.manifestPath, CONTRIBUTOR_PRIVATE_KEY: d.contributorKeys[i]!, CONTRIBUTOR_STATE_DIR: join(work, host.name, "state"),
        IPFS_REPO: join(work, host.name, "ipfs-claim"), IPFS_PEERS: ipfsPeers.join(","),
      }));
      assert.equal(claim.status, 0, `claim of ${host.name} failed: ${claim.stderr.slice(-2000)}`);
    }
    const claims = await rounds.queryFilter(rounds.filters.RewardClaimed(roundId));
    assert.equal(claims.length, 4, "not every contributor was paid");

    progress("all four contributors claimed");
    const bytes: Record<string, { sent: number; received: number }> = {};
    for (const host of Object.values(hosts)) bytes[host.name] = bytesMoved(host);
    passed = true;
    return { closeToFinalizedMs, bytes };
  } finally {
    // Stop in reverse start order: operators before the Redis they use, publishers last.
    for (const child of [...procs].filter((p) => p !== chain).reverse()) await stopGracefully(child);
    await cluster?.stop();
    await devnet?.close();
    await stopGracefully(chain);
    // No process may be left behind on any host (this driver itself runs on the chain host).
    const left = Object.values(hosts)
      .filter((h) => h !== hosts.chain)
      .flatMap((h) => pidsIn(h.ns).map((pid) => `${h.name}:${pid}`));
    if (chain.exitCode === null && chain.signalCode === null) left.push(`chain:${chain.pid} (hardhat node)`);
    if (passed) assert.deepEqual(left, [], `processes left behind: ${left.join(", ")}`);
    else if (left.length > 0) console.error(`processes left behind: ${left.join(", ")}`);
  }
}
