// The model policy as command-line flags: one flag per `IModelPolicyRegistry.Policy` field, in struct order.
// This module is pure data and parsing (no chain access), so the task definitions can import it cheaply.
import { formatUnits, parseUnits } from "ethers";

import { AGGREGATION_RULES as RULE_NAMES, REMAINDER_DESTINATIONS as REMAINDER_NAMES, WEIGHTINGS as WEIGHTING_NAMES } from "../../oracle/chain/enums.ts";
import type { ChainPolicy, PolicyFieldName as ChainPolicyFieldName } from "../../oracle/chain/policy-codec.ts";
import { TaskInputError } from "./task-error.ts";
import { formatTokenAmount } from "./token-amount.ts";

/** How a field is written on the command line. */
export type PolicyFieldKind =
  | { readonly kind: "enum"; readonly names: readonly string[] }
  | { readonly kind: "int"; readonly bits: number; readonly signed: boolean }
  | { readonly kind: "amount"; readonly bits: number }
  | { readonly kind: "fixed"; readonly bits: number; readonly decimals: number };

/**
 * One policy field: its struct name, the task option it is set with (the struct name unless given: fixed-point
 * fields take a decimal, `--dp-delta 0.00001` for `dpDeltaE18`), kind and help text.
 */
export interface PolicyFieldSpec {
  readonly name: PolicyFieldName;
  readonly option?: string;
  readonly type: PolicyFieldKind;
  readonly help: string;
}

const uint = (bits: number): PolicyFieldKind => ({ kind: "int", bits, signed: false });

/** Every field of `IModelPolicyRegistry.Policy`, in struct order. */
export const POLICY_FIELDS = [
  { name: "rule", type: { kind: "enum", names: RULE_NAMES }, help: "aggregation rule" },
  { name: "trimBps", type: uint(16), help: "trimmed-mean trim per side, basis points (0..4999)" },
  { name: "krumF", type: uint(16), help: "multi-krum f" },
  { name: "weighting", type: { kind: "enum", names: WEIGHTING_NAMES }, help: "contributor weighting" },
  { name: "maxSampleWeight", type: uint(32), help: "cap of the samples weight (>= 1)" },
  { name: "clipMantissa", type: uint(64), help: "clip norm mantissa: C = clipMantissa * 2^clipExp <= 2^12" },
  { name: "clipExp", type: { kind: "int", bits: 16, signed: true }, help: "clip norm binary exponent (-64..12)" },
  { name: "minContributors", type: uint(32), help: "fewer valid updates fail the round (>= 1; >= 2*krumF+3 for multi-krum)" },
  { name: "commitWindowSeconds", type: uint(32), help: "commit phase length in seconds" },
  { name: "revealWindowSeconds", type: uint(32), help: "reveal phase length in seconds" },
  { name: "attestWindowSeconds", type: uint(32), help: "time after the reveal phase for k operators to attest, seconds" },
  { name: "challengeWindowSeconds", type: uint(32), help: "time after a result in which anyone may dispute it; claims open after it, seconds" },
  { name: "claimWindowSeconds", type: uint(32), help: "time after finalization to claim rewards, seconds" },
  { name: "minContributorStake", type: { kind: "amount", bits: 128 }, help: "stake locked per commit, in CWT (e.g. 100 or 0.5)" },
  { name: "minOperatorStake", type: { kind: "amount", bits: 128 }, help: "stake locked while an operator is registered, in CWT" },
  { name: "slashBps", type: uint(16), help: "share of a lock slashed for a fault, basis points" },
  { name: "contributorsBps", type: uint(16), help: "budget share of contributors, bps (the three shares sum to 10000)" },
  { name: "operatorsBps", type: uint(16), help: "budget share of the attesting operators, bps" },
  { name: "treasuryBps", type: uint(16), help: "budget share of the treasury, bps" },
  { name: "dpClipNormE6", option: "dpClipNorm", type: { kind: "fixed", bits: 64, decimals: 6 }, help: "DP clip norm Cdp, decimal (> 0), e.g. 1.0" },
  { name: "dpNoiseMultiplierE6", option: "dpNoiseMultiplier", type: { kind: "fixed", bits: 64, decimals: 6 }, help: "DP noise multiplier z, decimal, e.g. 1.1" },
  { name: "dpDeltaE18", option: "dpDelta", type: { kind: "fixed", bits: 64, decimals: 18 }, help: "DP delta, decimal in (0, 1), e.g. 0.00001" },
  { name: "remainderTo", type: { kind: "enum", names: REMAINDER_NAMES }, help: "destination of unclaimed rewards and dust" },
  { name: "disputeBond", type: { kind: "amount", bits: 128 }, help: "bond a challenger posts to dispute a result, in CWT" },
  { name: "wrongResultBps", type: uint(16), help: "share of each signer's stake slashed when a dispute is upheld, bps (slashBps..10000)" },
] as const satisfies readonly { name: string; option?: string; type: PolicyFieldKind; help: string }[];

/** A policy field name, e.g. `trimBps`. */
export type PolicyFieldName = ChainPolicyFieldName & (typeof POLICY_FIELDS)[number]["name"];
/** A whole policy with every field as a bigint (enums by value), as the contract returns it. */
export type PolicyValues = ChainPolicy;
/** The raw flag values of `gov:propose-policy` by option name: undefined keeps the current value. */
export type PolicyFlags = Partial<Record<string, string | undefined>>;
/** One changed field. */
export interface PolicyChange {
  readonly field: PolicyFieldName;
  readonly from: bigint;
  readonly to: bigint;
}

/** The task option that sets `field`. */
export function optionName(field: PolicyFieldName): string {
  const spec: PolicyFieldSpec = fieldSpec(field);
  return spec.option ?? spec.name;
}

/** `trimBps` -> `--trim-bps`: the flag users type (Hardhat's camelCase-to-kebab-case rule). */
export function flagName(field: PolicyFieldName): string {
  return `--${optionName(field).replace(/[A-Z0-9]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** A field's value as users write it: enum names, amounts in CWT, integers otherwise. */
export function formatPolicyValue(field: PolicyFieldName, value: bigint): string {
  const spec = fieldSpec(field);
  if (spec.type.kind === "enum") return spec.type.names[Number(value)] ?? `unknown(${value})`;
  if (spec.type.kind === "amount") return formatTokenAmount(value);
  if (spec.type.kind === "fixed") return formatUnits(value, spec.type.decimals);
  return value.toString();
}

/**
 * Applies the given flags to `current`. Checks only syntax and the Solidity type's range; the contract's bounds
 * are checked by `checkPolicy` (an eth_call) afterwards.
 * @throws {TaskInputError} naming the flag, the accepted values and what was given.
 */
export function applyPolicyFlags(current: PolicyValues, flags: PolicyFlags): { policy: PolicyValues; changes: PolicyChange[] } {
  const policy = { ...current };
  const changes: PolicyChange[] = [];
  for (const spec of POLICY_FIELDS as readonly PolicyFieldSpec[]) {
    const text = flags[spec.option ?? spec.name];
    if (text === undefined) continue;
    const value = parseFieldValue(spec, text);
    policy[spec.name] = value;
    if (value !== current[spec.name]) changes.push({ field: spec.name, from: current[spec.name], to: value });
  }
  return { policy, changes };
}

/** The `IModelPolicyRegistry.PolicyField` enum (the first argument of `PolicyFieldOutOfBounds`), in order. */
export const BOUNDED_FIELDS: readonly PolicyFieldName[] = [
  "trimBps", "krumF", "maxSampleWeight", "clipMantissa", "clipExp", "minContributors", "commitWindowSeconds",
  "revealWindowSeconds", "attestWindowSeconds", "challengeWindowSeconds", "claimWindowSeconds", "minContributorStake",
  "minOperatorStake", "slashBps", "dpClipNormE6", "dpNoiseMultiplierE6", "dpDeltaE18", "disputeBond", "wrongResultBps",
];

function parseFieldValue(spec: PolicyFieldSpec, text: string): bigint {
  const flag = flagName(spec.name);
  const decimalOf = (decimals: number) => new RegExp(`^\\d+(\\.\\d{1,${decimals}})?$`);
  const value = text.trim();
  const { type } = spec;
  if (type.kind === "enum") {
    const index = type.names.indexOf(value);
    if (index < 0) throw new TaskInputError(`${flag} must be one of ${type.names.join(", ")}; got '${text}'`);
    return BigInt(index);
  }
  if (type.kind === "amount") {
    if (!decimalOf(18).test(value)) throw new TaskInputError(`${flag} must be a CWT amount such as 100 or 0.5; got '${text}'`);
    return checkMax(flag, text, parseUnits(value, 18), type.bits, 18);
  }
  if (type.kind === "fixed") {
    if (!decimalOf(type.decimals).test(value)) throw new TaskInputError(`${flag} must be a decimal with at most ${type.decimals} fraction digits, such as 1.5; got '${text}'`);
    return checkMax(flag, text, parseUnits(value, type.decimals), type.bits, type.decimals);
  }
  if (!/^-?\d+$/.test(value)) throw new TaskInputError(`${flag} must be an integer; got '${text}'`);
  const bits = BigInt(type.bits);
  const [min, max] = type.signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
  return checkRange(flag, text, BigInt(value), min, max);
}

function checkRange(flag: string, text: string, value: bigint, min: bigint, max: bigint): bigint {
  if (value < min || value > max) throw new TaskInputError(`${flag} must be in ${min}..${max}; got '${text}'`);
  return value;
}

function checkMax(flag: string, text: string, value: bigint, bits: number, decimals: number): bigint {
  const max = (1n << BigInt(bits)) - 1n;
  if (value > max) throw new TaskInputError(`${flag} must be at most ${formatUnits(max, decimals)}; got '${text}'`);
  return value;
}

function fieldSpec(field: PolicyFieldName): PolicyFieldSpec {
  const spec = (POLICY_FIELDS as readonly PolicyFieldSpec[]).find((s) => s.name === field);
  if (spec === undefined) throw new TaskInputError(`unknown policy field ${field}`);
  return spec;
}
