import { expect } from "chai";
import fc from "fast-check";

import { MalformedFileError } from "../../../oracle/protocol/file-errors.ts";
import { hashBytes } from "../../../oracle/protocol/hash.ts";
import { decodeUpdate, encodeUpdate, type UpdateExpectation } from "../../../oracle/protocol/update-file.ts";
import { validateUpdate, type Validation } from "../../../oracle/protocol/validate.ts";
import { LAYOUT, ROUND_ID, updateArb } from "./round-arbitraries.ts";

const SEED = 424_242;
const BASE_HASH = hashBytes(new TextEncoder().encode("base"));
const EXPECT: UpdateExpectation = { roundId: ROUND_ID, baseHash: BASE_HASH, layout: LAYOUT };
const CLIP = { clipMantissa: 1, clipExp: 12 };
const LIMITS = { maxFileBytes: 1 << 20, maxHeaderBytes: 1 << 16 };

function validate(file: Uint8Array | null, revealed: string = file === null ? BASE_HASH : hashBytes(file)): Validation {
  return validateUpdate(file, revealed, EXPECT, CLIP, LIMITS);
}

function headerOf(file: Uint8Array): { json: string; data: Uint8Array } {
  const h = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  return { json: new TextDecoder().decode(file.subarray(8, 8 + h)).trimEnd(), data: file.subarray(8 + h) };
}

/** Rewrites the header JSON text, keeping the data; pads to 8 bytes like a canonical writer would. */
function withHeader(file: Uint8Array, edit: (json: string) => string): Uint8Array {
  const { json, data } = headerOf(file);
  const text = new TextEncoder().encode(edit(json));
  const padded = Math.ceil(text.length / 8) * 8;
  const out = new Uint8Array(8 + padded + data.length).fill(0x20, 8, 8 + padded);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(text, 8);
  out.set(data, 8 + padded);
  return out;
}

const update = updateArb(BASE_HASH);
const validUpdate = update.filter((f) => validate(f).valid);


const HEADER_EDITS: [string, (json: string, n: number) => string][] = [
  ["whitespace after a colon", (j, n) => j.replace(/:/g, (m, offset: number) => (offset % (n + 2) === 0 ? ": " : m)).replace(/^\{"__metadata__":/, '{"__metadata__": ')],
  ["wrong dtype", (j, n) => j.replace(/"dtype":"I(8|16|32)"/, `"dtype":"${["F32", "F64", "U8", "I64", "BF16", "i8"][n % 6]}"`)],
  ["overlapping offsets", (j) => j.replace(/"data_offsets":\[(\d+),(\d+)\]\}\}$/, (_m, a: string, b: string) => `"data_offsets":[${Math.max(0, Number(a) - 1)},${Number(b) - 1}]}}`)],
  ["exponent out of range", (j, n) => j.replace(/"exp\.a":"-?\d+"/, `"exp.a":"${[-41, 1, -400, 7][n % 4]}"`)],
  ["non-canonical exponent", (j, n) => j.replace(/"exp\.a":"(-?)(\d+)"/, (_m, s: string, d: string) => `"exp.a":"${[`${s}0${d}`, `+${d}`, `${s}${d}.0`, "-0"][n % 4]}"`)],
  ["wrong round", (j, n) => j.replace(`"round":"${ROUND_ID}"`, `"round":"${[43, 0, "042", 4200][n % 4]}"`)],
  ["extra metadata key", (j) => j.replace('"__metadata__":{', '"__metadata__":{"a":"b",')],
  ["samples out of range", (j, n) => j.replace(/"samples":"\d+"/, `"samples":"${["0", "4294967296", "-1", "01"][n % 4]}"`)],
  ["tensor keys reordered", (j) => j.replace(/\{"dtype":("I\d+"),"shape":(\[[\d,]*\])/, '{"shape":$2,"dtype":$1')],
  ["missing metadata", (j) => j.replace(/^\{"__metadata__":\{[^}]*\},/, "{")],
  ["duplicate tensor", (j) => j.replace(/\}$/, ',"a":{"dtype":"I8","shape":[3],"data_offsets":[0,3]}}')],
];

describe("malformed and mutated update files", function () {
  this.timeout(120_000);

  it("canonical updates validate, and decoding then re-encoding gives the same bytes", function () {
    fc.assert(
      fc.property(validUpdate, (file) => {
        const decoded = decodeUpdate(file, EXPECT, LIMITS);
        expect(Buffer.from(encodeUpdate(decoded)).equals(Buffer.from(file))).to.equal(true);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("truncated files are malformed", function () {
    fc.assert(
      fc.property(update, fc.nat(), (file, cut) => {
        expect(validate(file.subarray(0, cut % file.length))).to.deep.equal({ valid: false, reason: "malformed" });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("a huge or oversized header length is malformed without allocating it", function () {
    fc.assert(
      fc.property(update, fc.bigInt({ min: 1n << 16n, max: (1n << 64n) - 1n }), (file, claimed) => {
        const copy = file.slice();
        new DataView(copy.buffer).setBigUint64(0, claimed, true);
        expect(validate(copy)).to.deep.equal({ valid: false, reason: "malformed" });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("a header longer than the base model's layout admits is malformed before it is parsed", function () {
    fc.assert(
      fc.property(validUpdate, (file) => {
        // 8 KiB of valid JSON: under the 64 KiB file-level cap, far over what LAYOUT admits.
        const mutated = withHeader(file, (j) => j.replace('"__metadata__":{', `"__metadata__":{"pad":"${"x".repeat(8192)}",`));
        expect(() => decodeUpdate(mutated, EXPECT, LIMITS)).to.throw(MalformedFileError, /header length exceeds the cap/);
        expect(validate(mutated)).to.deep.equal({ valid: false, reason: "malformed" });
      }),
      { seed: SEED, numRuns: 50 },
    );
  });

  it("a header nested deeper than a canonical one is malformed before it is parsed", function () {
    fc.assert(
      fc.property(validUpdate, fc.integer({ min: 2, max: 40 }), (file, depth) => {
        const mutated = withHeader(file, (j) => j.replace('"__metadata__":{', `"__metadata__":{"x":${"[".repeat(depth)}${"]".repeat(depth)},`));
        expect(() => decodeUpdate(mutated, EXPECT, LIMITS)).to.throw(MalformedFileError, /nests too deeply/);
        expect(validate(mutated)).to.deep.equal({ valid: false, reason: "malformed" });
      }),
      { seed: SEED, numRuns: 50 },
    );
  });

  it("a header array longer than 16 elements is malformed before it is parsed", function () {
    fc.assert(
      fc.property(validUpdate, (file) => {
        const mutated = withHeader(file, (j) => j.replace(/"shape":\[[\d,]*\]/, `"shape":[${new Array(17).fill(1).join(",")}]`));
        expect(() => decodeUpdate(mutated, EXPECT, LIMITS)).to.throw(MalformedFileError, /array too long/);
      }),
      { seed: SEED, numRuns: 50 },
    );
  });

  for (const [label, edit] of HEADER_EDITS) {
    it(`${label} is malformed`, function () {
      fc.assert(
        fc.property(validUpdate, fc.nat(), (file, n) => {
          const mutated = withHeader(file, (j) => edit(j, n));
          fc.pre(!Buffer.from(mutated).equals(Buffer.from(file)));
          expect(validate(mutated)).to.deep.equal({ valid: false, reason: "malformed" });
        }),
        { seed: SEED, numRuns: 150 },
      );
    });
  }

  it("random byte flips never throw; any file that still validates is canonical", function () {
    fc.assert(
      fc.property(update, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (file, flips) => {
        const copy = file.slice();
        for (const [at, xor] of flips) copy[at % copy.length] = (copy[at % copy.length] as number) ^ xor;
        const outcome = validate(copy);
        if (outcome.valid) expect(Buffer.from(encodeUpdate(outcome.update)).equals(Buffer.from(copy))).to.equal(true);
        else expect(outcome.reason).to.be.oneOf(["malformed", "norm"]);
      }),
      { seed: SEED, numRuns: 600 },
    );
  });

  it("checks run in the order unavailable, hash-mismatch, malformed, norm", function () {
    fc.assert(
      fc.property(update, fc.nat(), (file, cut) => {
        const broken = file.subarray(0, cut % file.length);
        expect(validate(null)).to.deep.equal({ valid: false, reason: "unavailable" });
        expect(validate(new Uint8Array(LIMITS.maxFileBytes + 1))).to.deep.equal({ valid: false, reason: "unavailable" });
        expect(validate(broken, hashBytes(file))).to.deep.equal({ valid: false, reason: "hash-mismatch" });
        const upperCase = validate(file, `0x${hashBytes(file).slice(2).toUpperCase()}`);
        expect(upperCase.valid || upperCase.reason !== "hash-mismatch").to.equal(true);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it("an update over the clip norm gets the reason norm, exactly at the boundary", function () {
    fc.assert(
      fc.property(fc.integer({ min: -40, max: 0 }), fc.boolean(), (exp, over) => {
        // C = 2^12 and a single non-zero element q * 2^exp: passes iff |q| <= 2^(12 - exp) (I32 caps at 2^31 - 1).
        const limit = Math.min(2 ** (12 - exp), 2 ** 31 - 1);
        const q = over && limit < 2 ** 31 - 1 ? limit + 1 : limit;
        const file = encodeUpdate({ round: ROUND_ID, base: BASE_HASH, samples: 1, tensors: [{ name: "a", shape: [3], dtype: "I32", exp, q: Int32Array.of(q, 0, 0) }, { name: "b/kernel", shape: [2, 3], dtype: "I8", exp: 0, q: new Int8Array(6) }] });
        const outcome = validate(file);
        expect(outcome.valid ? "valid" : outcome.reason).to.equal(over && limit < 2 ** 31 - 1 ? "norm" : "valid");
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
