import { expect } from "chai";

import { loadTfjs } from "../../../oracle/compute/tfjs/load.ts";
import { decodeModel, encodeModel } from "../../../oracle/protocol/model-file.ts";

describe("model file round trip", function () {
  it("keeps every weight of a real tfjs model bit for bit", async function () {
    const { tf } = await loadTfjs();
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [8], units: 16, activation: "relu", name: "hidden" }), tf.layers.dense({ units: 3, name: "out" })],
    });
    const weights = model.weights.map((w, i) => ({ name: `w${i}/${w.name.replace(/[^A-Za-z0-9_./-]/g, "_")}`, shape: w.read().shape, values: w.read().dataSync() as Float32Array }));

    const decoded = decodeModel(encodeModel(weights, { round: "1" }));
    const restored = decoded.tensors.map((t) => tf.tensor(t.values, t.shape, "float32"));
    model.setWeights(restored);

    const byName = new Map(weights.map((w) => [w.name, w]));
    for (const t of decoded.tensors) {
      const original = byName.get(t.name);
      expect(t.shape).to.deep.equal(original?.shape);
      expect(Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength).equals(Buffer.from((original?.values ?? new Float32Array()).buffer))).to.equal(true);
    }
    const after = model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(after).to.deep.equal(weights.map((w) => Array.from(w.values)));
    tf.dispose([...restored]);
    model.dispose();
  });
});
