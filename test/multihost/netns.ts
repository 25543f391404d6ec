// Hosts as Linux network namespaces on one private bridge, with tc netem on every link.
// Side-effect free: nothing runs at import time. Needs root and iproute2 (`ip netns`, `tc`).
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Duplex } from "node:stream";

/** The private range of the test's links (nothing else on the machine may use it). */
export const SUBNET = "10.231.0";
const BRIDGE = "cwmh0";
const NS_PREFIX = "cwmh-";

/** One host: a namespace, its address, and the root-side end of its link. */
export interface Host {
  readonly name: string;
  readonly ns: string;
  readonly ip: string;
  /** The veth end on the bridge (taking it down partitions the host). */
  readonly link: string;
}

/** Why the multi-host test cannot run here, or undefined when it can. */
export function whyNotRunnable(): string | undefined {
  if (process.getuid?.() !== 0) return "not root (network namespaces need root)";
  const ip = spawnSync("ip", ["netns", "list"], { encoding: "utf8" });
  if (ip.error || ip.status !== 0) return `\`ip netns\` is unavailable (${ip.error?.message ?? ip.stderr.trim()})`;
  const tc = spawnSync("tc", ["-V"], { encoding: "utf8" });
  if (tc.error || tc.status !== 0) return "`tc` (iproute2) is unavailable";
  const probe = `${NS_PREFIX}probe`;
  const made = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8" });
  if (made.status !== 0) return `cannot create a network namespace (${made.stderr.trim()})`;
  spawnSync("ip", ["netns", "del", probe]);
  return undefined;
}

/** True when this kernel has the netem qdisc (`tc qdisc add ... netem`); some VM kernels do not. */
export function netemAvailable(): boolean {
  const probe = `${NS_PREFIX}netem`;
  spawnSync("ip", ["netns", "add", probe]);
  try {
    spawnSync("ip", ["netns", "exec", probe, "ip", "link", "set", "lo", "up"]);
    return spawnSync("ip", ["netns", "exec", probe, "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"]).status === 0;
  } finally {
    spawnSync("ip", ["netns", "del", probe]);
  }
}

function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * Creates a bridge at `${SUBNET}.1` and one namespace per name, each linked to the bridge by a
 * veth pair (`eth0` inside, address `${SUBNET}.<10 + index>`), with `netem` delay and loss on
 * the host's side of every link and on the bridge's side towards it (when `netem` is given).
 */
export function createHosts(names: readonly string[], netem: { delayMs: number; lossPercent: number } | undefined): Host[] {
  destroyHosts();
  sh("ip", ["link", "add", BRIDGE, "type", "bridge"]);
  sh("ip", ["addr", "add", `${SUBNET}.1/24`, "dev", BRIDGE]);
  sh("ip", ["link", "set", BRIDGE, "up"]);
  return names.map((name, i) => {
    const ns = `${NS_PREFIX}${name}`;
    const ip = `${SUBNET}.${10 + i}`;
    const link = `cwv${i}`;
    sh("ip", ["netns", "add", ns]);
    sh("ip", ["link", "add", link, "type", "veth", "peer", "name", `${link}p`]);
    sh("ip", ["link", "set", `${link}p`, "netns", ns]);
    sh("ip", ["link", "set", link, "master", BRIDGE]);
    sh("ip", ["link", "set", link, "up"]);
    const inNs = (...args: string[]): void => sh("ip", ["netns", "exec", ns, ...args]);
    inNs("ip", "link", "set", `${link}p`, "name", "eth0");
    inNs("ip", "addr", "add", `${ip}/24`, "dev", "eth0");
    inNs("ip", "link", "set", "eth0", "up");
    inNs("ip", "link", "set", "lo", "up");
    inNs("ip", "route", "add", "default", "via", `${SUBNET}.1`);
    if (netem) {
      const rule = ["delay", `${netem.delayMs}ms`, "loss", `${netem.lossPercent}%`];
      inNs("tc", "qdisc", "add", "dev", "eth0", "root", "netem", ...rule);
      sh("tc", ["qdisc", "add", "dev", link, "root", "netem", ...rule]);
    }
    return { name, ns, ip, link };
  });
}

/** Removes every namespace and link this module made (also those of an earlier, aborted run). */
export function destroyHosts(): void {
  const list = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout ?? "";
  for (const ns of list.split("\n").map((l) => l.split(" ")[0] ?? "").filter((n) => n.startsWith(NS_PREFIX))) {
    for (const pid of pidsIn(ns)) spawnSync("kill", ["-KILL", String(pid)]);
    spawnSync("ip", ["netns", "del", ns]);
  }
  // A namespace whose processes were still exiting keeps its link a moment; delete the pairs directly.
  const links = spawnSync("ip", ["-o", "link", "show"], { encoding: "utf8" }).stdout ?? "";
  for (const match of links.matchAll(/^\d+: (cwv\d+)[@:]/gm)) spawnSync("ip", ["link", "del", match[1]!]);
  spawnSync("ip", ["link", "del", BRIDGE]);
}

/** Process ids running in namespace `ns`. */
export function pidsIn(ns: string): number[] {
  const out = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout ?? "";
  return out.split("\n").filter((l) => /^\d+$/.test(l.trim())).map(Number);
}

/** Starts `command` on `host`, with its output appended to `logFile`. */
export function startOn(host: Host, command: readonly string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const log = createWriteStream(logFile, { flags: "a" });
  const child = spawn("ip", ["netns", "exec", host.ns, ...command], { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

/** Runs `command` on `host` to its end; its exit status and output. */
export function runOn(host: Host, command: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("ip", ["netns", "exec", host.ns, ...command], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Cuts `host` off the bridge, or reconnects it (run in the root namespace, where the bridge is). */
export function partition(host: Pick<Host, "link">, cut: boolean): void {
  sh("ip", ["link", "set", host.link, cut ? "down" : "up"]);
}

/**
 * Serves partition requests from a process inside a namespace (which cannot reach the root
 * namespace's links itself): one JSON line `{"link","cut"}` in, one line `ok` or the error out.
 */
export function servePartitions(channel: Duplex): void {
  createInterface({ input: channel }).on("line", (line) => {
    try {
      const request = JSON.parse(line) as { link: string; cut: boolean };
      partition({ link: request.link }, request.cut);
      channel.write("ok\n");
    } catch (err) {
      channel.write(`${err instanceof Error ? err.message.split("\n")[0] : String(err)}\n`);
    }
  });
}

/** Asks the root namespace (see {@link servePartitions}) to cut or reconnect `host`. */
export function requestPartition(channel: Duplex, host: Host, cut: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: channel });
    lines.once("line", (answer) => {
      lines.close();
      if (answer === "ok") resolve();
      else reject(new Error(`partition of ${host.name} failed: ${answer}`));
    });
    channel.write(`${JSON.stringify({ link: host.link, cut })}\n`);
  });
}

/** Bytes `host` sent and received on its link so far. */
export function bytesMoved(host: Host): { sent: number; received: number } {
  const read = (what: string): number => Number(execFileSync("ip", ["netns", "exec", host.ns, "cat", `/sys/class/net/eth0/statistics/${what}`], { encoding: "utf8" }).trim());
  return { sent: read("tx_bytes"), received: read("rx_bytes") };
}
