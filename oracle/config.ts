import { mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";

import { z } from "zod";

import { ConfigError } from "./errors.ts";

/*
 * Every setting the off-chain code reads from the environment. This module is the only reader of
 * `process.env`; everything else receives a parsed config (or a slice of it). Each field carries
 * its default and its description in the schema, and `describeSettings()` prints them for --help.
 */

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

// --- Multi-host settings (issue 18): Redis Cluster URLs, IPFS nodes. ---

/** `redis://`/`rediss://` URL of one server, or `redis+cluster://h1:p1,h2:p2,...` (any nodes of a Cluster). */
const REDIS_URL_SCHEMA = z.string().refine(
  (text) => /^rediss?\+cluster:\/\/([^@/]*@)?[^/?#@,]+:\d{1,5}(,[^/?#@,]+:\d{1,5})*\/?$/.test(text) || z.url({ protocol: /^rediss?$/ }).safeParse(text).success,
  "must be redis://host:port, rediss://host:port or redis+cluster://host1:port1,host2:port2,...",
);

/** How this process reaches IPFS (`ipfs://` URIs): its own Helia node, which dials only IPFS_PEERS. */
export const IpfsConfigSchema = z.object({
  IPFS_REPO: z.string().min(1).default(".cw/ipfs").describe("block and data store of this process's own IPFS (Helia) node"),
  IPFS_PEERS: z
    .string()
    .default("")
    .describe("comma-separated multiaddrs (with /p2p/<peer id>) this IPFS node dials; nothing else is dialled, no public bootstrap"),
  IPFS_LISTEN: z
    .string()
    .default("/ip4/127.0.0.1/tcp/0")
    .describe("comma-separated multiaddrs this IPFS node listens on (e.g. /ip4/0.0.0.0/tcp/4001 to serve other hosts)"),
});
export type IpfsConfig = z.infer<typeof IpfsConfigSchema>;

/** Settings shared by every actor's tools. */
export const ConfigSchema = z.object({
  REDIS_URL: REDIS_URL_SCHEMA.optional().describe(
    "Redis for the BullMQ queues: redis[s]://host:port, or a Cluster as redis[s]+cluster://h1:p1,h2:p2,...; unset: 127.0.0.1:6379 if it answers, else redis-server from PATH",
  ),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info")
    .describe("pino log level"),
});
export type Config = z.infer<typeof ConfigSchema>;

/** Shared part: how to reach the chain. */
export const ChainAccessSchema = z.object({
  RPC_URL: z.url({ protocol: /^(https?|wss?)$/ }).default("http://127.0.0.1:8545").describe("JSON-RPC endpoint of the chain"),
  DEPLOYMENT: z.string().min(1).default("deployments/localhost.json").describe("deployment manifest (contract addresses, chain id)"),
});

/** Shared part: an encrypted keystore instead of a raw key. */
const KeystoreSchema = z.object({
  KEYSTORE: z.string().min(1).optional().describe("encrypted JSON keystore holding the key"),
  KEYSTORE_PASSWORD: z.string().optional().describe("password of KEYSTORE (secret)"),
});

/** Shared part: a private key variable named `name`. */
function privateKeyField(what: string) {
  return z.string().regex(PRIVATE_KEY, "must be 0x followed by 64 hex digits").optional().describe(`${what} (secret; or use KEYSTORE)`);
}

/** Shared part: the limits of every fetch of a model or update file. */
export const FetchLimitsSchema = z.object({
  FETCH_MAX_BYTES: z.coerce.number().int().min(1_024).default(256 * 1024 * 1024).describe("largest file fetched (models, updates)"),
  FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000).describe("time limit of one fetch"),
});

/** An auditor's settings (`cw verify-round`, `cw auditor ...`): chain access and fetch limits; a key only to dispute. */
export const AuditorConfigSchema = ConfigSchema.extend(ChainAccessSchema.shape).extend(FetchLimitsSchema.shape).extend(IpfsConfigSchema.shape)
  .extend({ AUDITOR_PRIVATE_KEY: privateKeyField("auditor key that posts dispute bonds") })
  .extend(KeystoreSchema.shape)
  .extend({
    AUDITOR_POLL_MS: z.coerce.number().int().min(100).default(15_000).describe("how often `cw auditor watch` looks for rounds in their challenge window"),
    AUDITOR_HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(9465).describe("port of /healthz and /metrics of `cw auditor watch` (0: any free port)"),
  });
export type AuditorConfig = z.infer<typeof AuditorConfigSchema>;

/** An oracle operator's settings (`cw operator start`). */
export const OperatorConfigSchema = ConfigSchema.extend(ChainAccessSchema.shape)
  .extend({ ORACLE_PRIVATE_KEY: privateKeyField("operator signing key") })
  .extend(KeystoreSchema.shape)
  .extend(FetchLimitsSchema.shape)
  .extend(IpfsConfigSchema.shape)
  .extend({
    CONFIRMATIONS: z.coerce.number().int().min(0).max(1_000).default(2).describe("blocks a RoundClosed event must be buried under"),
    POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(2_000).describe("chain polling interval"),
    RECONCILE_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(3_600_000)
      .default(30_000)
      .describe("how often every Closed round this operator has not attested is re-driven"),
    ROUND_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5).describe("attempts of one round job (then the reconciler re-drives it)"),
    SUBMIT_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8).describe("attempts of one submit job (then the reconciler re-drives it)"),
    JOB_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(2_000).describe("first retry delay of round and submit jobs; doubles"),
    RECEIPT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000).describe("wait for a receipt before re-sending with a higher fee"),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1).describe("concurrent jobs per worker process"),
    BACKEND: z
      .enum(["cpu", "tfjs", "webgpu", "auto"])
      .default("auto")
      .describe("compute backend; auto = a hardware WebGPU adapter, else tfjs-node-gpu, else cpu"),
    SHARD_SIZE: z.coerce.number().int().min(1_024).default(4_194_304).describe("parameters per aggregation shard job"),
    WORK_DIR: z.string().min(1).default(".cw/work").describe("this operator's local state (the record of signed digests)"),
    STORE_DIR: z.string().min(1).default(".cw/store").describe("blob store shared by workers: updates, shard partials, models"),
    METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9_464).describe("port of /metrics and /healthz; 0 = off"),
    DASHBOARD: z.stringbool().default(false).describe("serve the bull-board dashboard under /dashboard"),
    WORKERS: z.coerce.number().int().min(0).max(64).default(1).describe("compute worker processes `operator start` runs"),
    LOCK_DURATION_MS: z.coerce.number().int().min(1_000).default(60_000).describe("job lock; a dead worker's job is retried after it"),
    QUEUE_PREFIX: z
      .string()
      .regex(/^\{[A-Za-z0-9_-]{1,64}\}$/, "must be a Redis Cluster hash tag such as {cw}")
      .default("{cw}")
      .describe("key prefix of this operator's queues (a hash tag: one Cluster slot)"),
  });
export type OperatorConfig = z.infer<typeof OperatorConfigSchema>;

/**
 * Dawn's OpenGL ES backend (the software WebGPU adapter, Mesa llvmpipe) needs EGL without a display:
 * sets `EGL_PLATFORM=surfaceless` unless the operator set it, and `XDG_RUNTIME_DIR` (to a private
 * temporary folder) when it is missing. Called before dawn.node loads.
 */
export function prepareDawnEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  env.EGL_PLATFORM ??= "surfaceless";
  // Without it the Vulkan loader's Wayland code prints "XDG_RUNTIME_DIR is invalid" on stderr.
  if (env.XDG_RUNTIME_DIR === undefined || env.XDG_RUNTIME_DIR === "") {
    const dir = join(tmpdir(), `cw-runtime-${process.getuid?.() ?? "user"}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    env.XDG_RUNTIME_DIR = dir;
  }
}

/** Variables whose values are never printed, logged or echoed in errors. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(["ORACLE_PRIVATE_KEY", "CONTRIBUTOR_PRIVATE_KEY", "AUDITOR_PRIVATE_KEY", "KEYSTORE_PASSWORD"]);

/**
 * Parses `env` against `schema`, once, at boot.
 * @throws {ConfigError} listing every invalid variable (zod never echoes the rejected values).
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: Readonly<Record<string, string | undefined>>): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** Settings given as CLI flags, by variable name; they override the environment and the env file. */
export type SettingFlags = Readonly<Record<string, string | number | boolean | undefined>>;

/** Where a loader reads from. */
export interface LoadOptions {
  /** Flags of the command line, by variable name (undefined entries are ignored). */
  readonly flags?: SettingFlags;
  /** A settings file; undefined: `.env` when present; false: none (compute workers get everything from their parent). */
  readonly envFile?: string | false | undefined;
  /** Demand a key (signing commands). @defaultValue true */
  readonly requireKey?: boolean;
  /** The environment. @defaultValue process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The layered variables: env file, then environment, then flags. */
function layered(options: LoadOptions): Record<string, string | undefined> {
  const flags = Object.fromEntries(Object.entries(options.flags ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
  return { ...(options.envFile === false ? {} : readEnvFile(options.envFile)), ...(options.env ?? process.env), ...flags };
}

/** The shared settings. @throws {ConfigError} */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  return parseConfig(ConfigSchema, env);
}

/**
 * An operator's settings: flags over the environment over the variables of the env file.
 * Compute workers (`requireKey: false`) run without the key; only the submitter signs.
 * @throws {ConfigError} on an invalid value, a missing key, or an unreadable named file.
 */
export function loadOperatorConfig(options: LoadOptions = {}): OperatorConfig {
  const config = parseConfig(OperatorConfigSchema, layered(options));
  if ((options.requireKey ?? true) && !config.ORACLE_PRIVATE_KEY && !config.KEYSTORE) {
    throw new ConfigError("invalid configuration: set ORACLE_PRIVATE_KEY, or KEYSTORE and KEYSTORE_PASSWORD");
  }
  return config;
}

/** An auditor's settings (no key). @throws {ConfigError} */
export function loadAuditorConfig(options: Omit<LoadOptions, "requireKey"> = {}): AuditorConfig {
  return parseConfig(AuditorConfigSchema, layered(options));
}

/** System variables a child process may inherit; nothing else of the parent's environment reaches it. */
const INHERITED_SYSTEM_VARIABLES = ["PATH", "HOME", "TMPDIR", "TEMP", "TMP", "LANG", "TZ", "SYSTEMROOT"] as const;

/**
 * The environment of a compute worker process, built from the parsed settings: this operator's
 * settings without its secrets and keystore, the Redis it resolved, and the few system variables a
 * process needs. Nothing else from the parent (a `SEPOLIA_PRIVATE_KEY`, cloud tokens) is passed on.
 */
export function workerEnvironment(config: OperatorConfig, redisUrl: string, env: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of INHERITED_SYSTEM_VARIABLES) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  for (const [name, value] of Object.entries(config)) {
    if (SECRET_VARIABLES.has(name) || name === "KEYSTORE" || value === undefined) continue;
    out[name] = String(value);
  }
  out.REDIS_URL = redisUrl;
  return out;
}

function readEnvFile(path: string | undefined): Record<string, string> {
  try {
    return parseEnv(readFileSync(path ?? ".env", "utf8")) as Record<string, string>;
  } catch (err) {
    const missing = typeof err === "object" && err !== null && "code" in err && err.code === "ENOENT";
    if (missing && path === undefined) return {};
    throw new ConfigError(`could not read configuration file ${path ?? ".env"}`, { cause: err });
  }
}

/** One line per setting of `schema` (name, default, description), for `--help`. */
export function describeSettings(schema: z.ZodObject): string {
  return Object.entries(schema.shape)
    .map(([name, field]) => {
      const type = field as z.ZodType;
      const parsed = type.safeParse(undefined);
      const fallback = parsed.success && parsed.data !== undefined ? String(parsed.data) : "-";
      return `  ${name.padEnd(20)} ${fallback.padEnd(26)} ${type.description ?? ""}`;
    })
    .join("\n");
}

/** A contributor's settings (`cw contributor ...`); flags override the variables of the same meaning. */
export const ContributorConfigSchema = ConfigSchema.extend(ChainAccessSchema.shape)
  .extend({ CONTRIBUTOR_PRIVATE_KEY: privateKeyField("contributor key") })
  .extend(KeystoreSchema.shape)
  .extend({
    CONTRIBUTOR_STATE_DIR: z
      .string()
      .min(1)
      .default(".cw/contributor")
      .describe("commit salts (needed to reveal; back it up), one file per chain/round/account"),
    STORE_DIR: z.string().min(1).default(".cw/store").describe("blob store the trained update is uploaded to"),
  })
  .extend(FetchLimitsSchema.shape)
  .extend(IpfsConfigSchema.shape);
export type ContributorConfig = z.infer<typeof ContributorConfigSchema>;

/**
 * A contributor's settings: flags over the environment over the variables of the env file.
 * Read-only commands (`requireKey: false`) run without a key.
 * @throws {ConfigError} on an invalid value, a missing key, or an unreadable named file.
 */
export function loadContributorConfig(options: LoadOptions = {}): ContributorConfig {
  const config = parseConfig(ContributorConfigSchema, layered(options));
  if ((options.requireKey ?? true) && !config.CONTRIBUTOR_PRIVATE_KEY && !config.KEYSTORE) {
    throw new ConfigError("invalid configuration: set CONTRIBUTOR_PRIVATE_KEY, or KEYSTORE and KEYSTORE_PASSWORD");
  }
  return config;
}

/** Chain access of a permissionless actor (`cw sponsor`, `cw keeper`). */
const ActorChainSchema = ConfigSchema.extend({
  RPC_URL: z.url({ protocol: /^(https?|wss?)$/ }).default("http://127.0.0.1:8545").describe("JSON-RPC endpoint of the chain"),
  DEPLOYMENT: z.string().min(1).default("deployments/localhost.json").describe("deployment manifest (contract addresses, chain id)"),
  KEYSTORE: z.string().min(1).optional().describe("encrypted JSON keystore holding the key (instead of the *_PRIVATE_KEY)"),
  KEYSTORE_PASSWORD: z.string().optional().describe("password of KEYSTORE (secret)"),
});

/** A sponsor's settings (`cw sponsor ...`). */
export const SponsorConfigSchema = ActorChainSchema.extend({
  SPONSOR_PRIVATE_KEY: z.string().regex(PRIVATE_KEY, "must be 0x followed by 64 hex digits").optional().describe("sponsor key (secret; or use KEYSTORE)"),
});
export type SponsorConfig = z.infer<typeof SponsorConfigSchema>;

/** A keeper's settings (`cw keeper ...`): who pays the upkeep gas, how often it looks, where it reports. */
export const KeeperConfigSchema = ActorChainSchema.extend({
  KEEPER_PRIVATE_KEY: z.string().regex(PRIVATE_KEY, "must be 0x followed by 64 hex digits").optional().describe("keeper key: pays the upkeep gas (secret; or use KEYSTORE)"),
  POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(5_000).describe("how often the keeper reads the chain"),
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9_465).describe("port of /metrics and /healthz (loopback); 0 = off"),
  KEEPER_FROM_ROUND: z.coerce.number().int().min(1).default(1).describe("first round the keeper looks after"),
  KEEPER_RECOMPUTE: z.stringbool().default(true).describe("recompute rounds with invalid contributors to slash them (needs the update files)"),
  KEEPER_PACKAGE_DIR: z.string().min(1).optional().describe("folder of result packages <roundId>.json to take invalid lists from instead"),
  FETCH_MAX_BYTES: z.coerce.number().int().min(1_024).default(256 * 1024 * 1024).describe("largest file fetched (recomputation)"),
  FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000).describe("time limit of one fetch"),
}).extend(IpfsConfigSchema.shape);
export type KeeperConfig = z.infer<typeof KeeperConfigSchema>;

/**
 * A sponsor's or keeper's settings: flags over the environment over the variables of the env file.
 * @throws {ConfigError} on an invalid value, a missing key (unless `requireKey: false`), or an unreadable named file.
 */
export function loadActorConfig<S extends typeof SponsorConfigSchema | typeof KeeperConfigSchema>(schema: S, options: LoadOptions = {}): z.infer<S> {
  const config = parseConfig(schema, layered(options)) as z.infer<S>;
  const keyVariable = schema === SponsorConfigSchema ? "SPONSOR_PRIVATE_KEY" : "KEEPER_PRIVATE_KEY";
  if ((options.requireKey ?? true) && !(config as Record<string, unknown>)[keyVariable] && !config.KEYSTORE) {
    throw new ConfigError(`invalid configuration: set ${keyVariable}, or KEYSTORE and KEYSTORE_PASSWORD`);
  }
  return config;
}

/** Where the `localhost` Hardhat network finds its node: LOCALHOST_RPC_URL, default `npx hardhat node`'s address. */
export const DEFAULT_LOCALHOST_RPC_URL = "http://127.0.0.1:8545";

/**
 * The URL of hardhat.config.ts's `localhost` network: `LOCALHOST_RPC_URL` (so a node on another port, as
 * `npm run walkthrough` runs, needs no config edit), else {@link DEFAULT_LOCALHOST_RPC_URL}.
 * @throws {ConfigError} when LOCALHOST_RPC_URL is not an http(s) URL.
 */
export function localhostRpcUrl(env: NodeJS.ProcessEnv = process.env): string {
  return parseConfig(z.object({ LOCALHOST_RPC_URL: z.url({ protocol: /^https?$/ }).default(DEFAULT_LOCALHOST_RPC_URL) }), env).LOCALHOST_RPC_URL;
}

/** The web app's settings (`npm run app`): which deployment it serves, and where its chain and results are. */
export const AppConfigSchema = ConfigSchema.extend({
  RPC_URL: z.url({ protocol: /^https?$/ }).default(DEFAULT_LOCALHOST_RPC_URL).describe("JSON-RPC endpoint the page reads the chain from"),
  DEPLOYMENT: z.string().min(1).default("deployments/localhost.json").describe("deployment manifest (contract addresses, chain id)"),
  APP_PORT: z.coerce.number().int().min(0).max(65_535).default(5173).describe("port of the static server (0: any free port)"),
  RESULTS_URL: z.string().default("").describe("URL template of published result packages, {roundId} replaced (empty: receipts show chain facts only)"),
});
export type AppConfig = z.infer<typeof AppConfigSchema>;

/** The web app's settings. @throws {ConfigError} */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return parseConfig(AppConfigSchema, env);
}
