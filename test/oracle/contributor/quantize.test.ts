import { expect } from "chai";
import fc from "fast-check";

import { InvalidInputError } from "../../../oracle/errors.ts";
import { l2Norm } from "../../../oracle/contributor/dp.ts";
import { chooseExponent, dequantize, DTYPE_RANGE, quantizeTensor, type QuantizedDtype } from "../../../oracle/contributor/quantize.ts";

const DTYPES: QuantizedDtype[] = ["I8", "I16"];

function fits(values: ArrayLike<number>, e: number, dtype: QuantizedDtype): boolean {
  return Array.from(values).every((v) => {
    const q = Math.trunc(v / 2 ** e);
    return q >= DTYPE_RANGE[dtype].min && q <= DTYPE_RANGE[dtype].max;
  });
}

const tensorValues = fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 64 });
const PROPERTY_RUNS = { numRuns: 300, seed: 20240601 };

describe("contributor/quantize: fixed point, rounding toward zero", function () {
  it("picks e = -6 for 1.0 and e = -7 for -1.0 in I8 (127 and -128 are the limits)", function () {
    expect(chooseExponent([1], "I8")).to.equal(-6);
    expect(chooseExponent([-1], "I8")).to.equal(-7);
    expect(chooseExponent([1], "I16")).to.equal(-14);
  });

  it("chooses the smallest exponent at which every value fits", function () {
    fc.assert(
      fc.property(tensorValues, fc.constantFrom(...DTYPES), (values, dtype) => {
        const e = chooseExponent(values, dtype);
        expect(fits(values, e, dtype)).to.equal(true);
        if (e > -40) expect(fits(values, e - 1, dtype)).to.equal(false);
      }),
      PROPERTY_RUNS,
    );
  });

  it("never raises a magnitude: |q·2^e| <= |v| and q = trunc(v / 2^e)", function () {
    fc.assert(
      fc.property(tensorValues, fc.constantFrom(...DTYPES), (values, dtype) => {
        const t = quantizeTensor({ name: "t", shape: [values.length], values: Float64Array.from(values) }, dtype);
        const real = dequantize(t);
        values.forEach((v, j) => {
          expect(Math.abs(real[j] ?? Number.NaN)).to.be.at.most(Math.abs(v));
          expect(t.q[j]).to.equal(Math.trunc(v / 2 ** t.exp) + 0);
        });
      }),
      PROPERTY_RUNS,
    );
  });

  it("never raises the norm and loses at most one step per coordinate", function () {
    fc.assert(
      fc.property(tensorValues, fc.constantFrom(...DTYPES), (values, dtype) => {
        const tensor = { name: "t", shape: [values.length], values: Float64Array.from(values) };
        const t = quantizeTensor(tensor, dtype);
        const real = { ...tensor, values: dequantize(t) };
        expect(l2Norm([real])).to.be.at.most(l2Norm([tensor]));
        values.forEach((v, j) => expect(Math.abs(v - (real.values[j] ?? 0))).to.be.below(2 ** t.exp));
      }),
      PROPERTY_RUNS,
    );
  });

  it("gives an all-zero tensor the finest exponent", function () {
    expect(chooseExponent(new Float64Array(5), "I8")).to.equal(-40);
  });

  it("rejects values that do not fit even at e = 0", function () {
    expect(() => chooseExponent([200], "I8")).to.throw(InvalidInputError);
    expect(() => chooseExponent([Number.POSITIVE_INFINITY], "I16")).to.throw(InvalidInputError);
  });
});
