#!/usr/bin/env python3
"""numpy baseline of the aggregation rules, for the peer column of `npm run bench -- aggregate`.

Usage: numpy_baseline.py CASE_DIR RULE[,RULE...] [--trim-bps B] [--krum-f F] [--repeat R]

Reads the case's update files (safetensors, docs/protocol.md 1.2) into one float32 matrix of real
values q * 2^e, as a float framework holds them, and times the textbook formulas on it: mean,
median, trimmed mean by sorting, and multi-krum by pairwise squared distances (through the Gram
matrix). Prints one JSON object: {"loadMs": ..., "ms": {rule: best ms}}. Single-threaded: set
OPENBLAS_NUM_THREADS=1 (the bench does) so the figure is per core like ours.
"""
import json
import os
import struct
import sys
import time

import numpy as np

DTYPES = {"I8": np.int8, "I16": np.int16, "I32": np.int32, "F32": np.float32}
CHUNK = 1 << 20  # columns per chunk for the sorting rules, so their copies stay one chunk wide


def load_updates(case_dir):
    with open(os.path.join(case_dir, "round.json")) as f:
        contributors = json.load(f)["contributors"]
    files = [c["file"] for c in contributors if c["file"] is not None]
    matrix = None
    for i, name in enumerate(files):
        with open(os.path.join(case_dir, name), "rb") as f:
            data = f.read()
        (h,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8 : 8 + h])
        meta = header.pop("__metadata__")
        row = []
        for tensor in sorted(header):
            entry = header[tensor]
            begin, end = entry["data_offsets"]
            q = np.frombuffer(data, dtype=DTYPES[entry["dtype"]], count=(end - begin) // np.dtype(DTYPES[entry["dtype"]]).itemsize, offset=8 + h + begin)
            row.append(np.ldexp(q.astype(np.float32), int(meta["exp." + tensor])))
        flat = np.concatenate(row)
        if matrix is None:
            matrix = np.empty((len(files), flat.size), dtype=np.float32)
        matrix[i] = flat
    return matrix


def mean(x, _args):
    return x.mean(axis=0)


def median(x, _args):
    return np.concatenate([np.median(x[:, c : c + CHUNK], axis=0) for c in range(0, x.shape[1], CHUNK)])


def trimmed_mean(x, args):
    k = x.shape[0] * args["trim_bps"] // 10000
    return np.concatenate([np.sort(x[:, c : c + CHUNK], axis=0)[k : x.shape[0] - k].mean(axis=0) for c in range(0, x.shape[1], CHUNK)])


def multi_krum(x, args):
    n = x.shape[0]
    f = args["krum_f"]
    sq = np.einsum("ij,ij->i", x, x, dtype=np.float64)
    gram = (x @ x.T).astype(np.float64)
    d = sq[:, None] + sq[None, :] - 2 * gram
    np.fill_diagonal(d, np.inf)
    scores = np.sort(d, axis=1)[:, : n - f - 2].sum(axis=1)
    selected = np.argsort(scores, kind="stable")[: n - f]
    return x[selected].mean(axis=0)


RULES = {"fedavg": mean, "median": median, "trimmed-mean": trimmed_mean, "multi-krum": multi_krum}


def main(argv):
    case_dir, rules = argv[1], argv[2].split(",")
    args = {"trim_bps": 1000, "krum_f": 2, "repeat": 3}
    for flag, key in (("--trim-bps", "trim_bps"), ("--krum-f", "krum_f"), ("--repeat", "repeat")):
        if flag in argv:
            args[key] = int(argv[argv.index(flag) + 1])
    t = time.perf_counter()
    x = load_updates(case_dir)
    load_ms = (time.perf_counter() - t) * 1000
    out = {}
    for rule in rules:
        best = float("inf")
        for _ in range(args["repeat"]):
            t = time.perf_counter()
            RULES[rule](x, args)
            best = min(best, (time.perf_counter() - t) * 1000)
        out[rule] = best
    print(json.dumps({"loadMs": load_ms, "ms": out}))


if __name__ == "__main__":
    main(sys.argv)
