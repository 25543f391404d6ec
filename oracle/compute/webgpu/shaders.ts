/*
 * WGSL kernels of the webgpu backend. WGSL has 32-bit integers only, so every kernel states the bound
 * that keeps each i32/u32 value exact. Two value encodings (see encode.ts):
 *
 * - `i8` (fast path: every value an I8 at shift 0, |Q| <= 128): four values packed per u32 word,
 *   little-endian, member-major `vals[m * stride + w]`.
 * - `limbs` (general path: any |Q| <= 2^52, the bound of docs/protocol.md §2): two i32 per value,
 *   `Q = hi * 2^30 + lo` with lo in [0, 2^30) and |hi| <= 2^22, interleaved `vals[2 (m * stride + j)]`.
 *   In-kernel a value splits into base-2^10 digits d0..d5 (d0..d4 in [0, 1024), d5 = hi >> 20 in [-4, 4]),
 *   the digits of compute/tfjs/digits.ts, so `Q = sum_k d_k 2^(10 k)`.
 *
 * Every kernel uses workgroups of 64 invocations (compatibility mode allows 128), at most four storage
 * buffers (compatibility mode allows 4) and one uniform block; a dispatch that needs more than 65535
 * workgroups spreads over y, and `p.xThreads` is the x extent in invocations.
 */

/** Invocations per workgroup (<= 128, the compatibility-mode limit). */
export const WORKGROUP = 64;

const COMMON = /* wgsl */ `
struct Params { n: u32, len: u32, stride: u32, xThreads: u32, a: u32, b: u32, c: u32, d: u32 }
@group(0) @binding(0) var<uniform> p: Params;

fn threadId(gid: vec3<u32>) -> u32 { return gid.x + gid.y * p.xThreads; }

// Sign-extended byte k of a packed word.
fn byteOf(x: u32, k: u32) -> i32 { return bitcast<i32>(x << (24u - 8u * k)) >> 24u; }

// rhe(s, d) for d > 0: the quotient nearest s/d, ties to even. Callers guarantee |s| < 2^31 - 1 and
// d < 2^24, so abs(s), q * d <= |s| and 2 r < 2 d never overflow.
fn rhe(s: i32, d: i32) -> i32 {
  let a = abs(s);
  var q = a / d;
  let twice = 2 * (a - q * d);
  if (twice > d || (twice == d && (q & 1) == 1)) { q = q + 1; }
  return select(q, -q, s < 0);
}

// Base-2^10 digits of Q = hi * 2^30 + lo (lo in [0, 2^30)).
fn digitsOf(hi: i32, lo: i32) -> array<i32, 6> {
  return array<i32, 6>(lo & 1023, (lo >> 10u) & 1023, lo >> 20u, hi & 1023, (hi >> 10u) & 1023, hi >> 20u);
}

// acc + x as a two's-complement 64-bit integer (lo, hi words), x sign-extended.
fn add64(acc: vec2<u32>, x: i32) -> vec2<u32> {
  let ux = bitcast<u32>(x);
  let lo = acc.x + ux;
  return vec2<u32>(lo, acc.y + select(0u, 1u, lo < acc.x) + select(0u, 0xffffffffu, x < 0));
}
`;

/**
 * Weighted sum, fast path: one invocation per word (4 elements). `p.n` members, weights `w` (i32),
 * `p.a` = divisor. Bound (checked by the host): `128 * sum w < 2^31 - 1` and divisor < 2^24, so the
 * i32 sums and {@link rhe} are exact. Writes `out[j] = rhe(sum_m w_m Q_m[j], divisor)`.
 */
export const WEIGHTED_I8 = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> vals: array<u32>;
@group(0) @binding(2) var<storage, read> w: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<i32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let word = threadId(gid);
  if (word >= p.stride) { return; }
  var acc = vec4<i32>(0);
  for (var m = 0u; m < p.n; m = m + 1u) {
    let x = vals[m * p.stride + word];
    acc = acc + vec4<i32>(byteOf(x, 0u), byteOf(x, 1u), byteOf(x, 2u), byteOf(x, 3u)) * w[m];
  }
  let d = i32(p.a);
  for (var k = 0u; k < 4u; k = k + 1u) {
    let j = 4u * word + k;
    if (j < p.len) { out[j] = rhe(acc[k], d); }
  }
}
`;

/**
 * Weighted sum, general path: one invocation per element; weights as four base-2^10 digits
 * `wd[4 m + b]` (w < 2^32, so wd3 <= 3). Writes positional terms `out[q * len + j]`, q = 0..8, with
 * `sum_m w_m Q_m[j] = sum_q out[q, j] 2^(10 q)`. Bound: a position collects at most 4 digit products
 * per member, each |d_a wd_b| <= 1023^2, and the host passes at most 511 members per dispatch:
 * 511 * 4 * 1023^2 = 2 139 105 276 < 2^31 - 1.
 */
export const WEIGHTED_LIMBS = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> vals: array<i32>;
@group(0) @binding(2) var<storage, read> wd: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<i32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = threadId(gid);
  if (j >= p.len) { return; }
  var acc: array<i32, 9>;
  for (var m = 0u; m < p.n; m = m + 1u) {
    let at = 2u * (m * p.stride + j);
    let d = digitsOf(vals[at], vals[at + 1u]);
    for (var b = 0u; b < 4u; b = b + 1u) {
      let wb = wd[4u * m + b];
      for (var a = 0u; a < 6u; a = a + 1u) { acc[a + b] = acc[a + b] + d[a] * wb; }
    }
  }
  for (var q = 0u; q < 9u; q = q + 1u) { out[q * p.len + j] = acc[q]; }
}
`;

/**
 * Bitonic sorting network over `np` slots (a power of two >= p.n); slots past p.n hold a sentinel
 * above every value, so ranks 0..n-1 are the members' sorted values. `swap(i, l)` orders slot i
 * before slot l when ascending.
 */
function bitonic(np: number, greater: string, swap: string): string {
  return /* wgsl */ `
  for (var k = 2u; k <= ${np}u; k = k << 1u) {
    for (var s = k >> 1u; s > 0u; s = s >> 1u) {
      for (var i = 0u; i < ${np}u; i = i + 1u) {
        let l = i ^ s;
        if (l > i) {
          let up = (i & k) == 0u;
          if (${greater} == up) { ${swap} }
        }
      }
    }
  }`;
}

/**
 * Order statistic, fast path: one invocation per element; sorts the column and writes
 * `out[j] = rhe(sum of ranks p.a..p.b, p.b - p.a + 1)`. Bound: at most 2^9 values of |Q| <= 128,
 * sum <= 2^16, divisor <= 2^9.
 */
export function orderI8(np: number): string {
  return /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> vals: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = threadId(gid);
  if (j >= p.len) { return; }
  var v: array<i32, ${np}>;
  for (var m = 0u; m < ${np}u; m = m + 1u) {
    if (m < p.n) { v[m] = byteOf(vals[m * p.stride + j / 4u], j % 4u); } else { v[m] = 1000; }
  }
  ${bitonic(np, "(v[i] > v[l])", "let t = v[i]; v[i] = v[l]; v[l] = t;")}
  var s = 0;
  for (var r = p.a; r <= p.b; r = r + 1u) { s = s + v[r]; }
  out[j] = rhe(s, i32(p.b - p.a + 1u));
}
`;
}

/**
 * Order statistic, general path: sorts (hi, lo) pairs lexicographically (the order of Q, since lo is
 * in [0, 2^30)); sentinel hi = 2^30 > 2^22 >= every |hi|. Writes the digit sums of ranks p.a..p.b as
 * positional terms `out[q * len + j]`, q = 0..5. Bound: at most 2^9 digits of magnitude <= 1023.
 */
export function orderLimbs(np: number): string {
  return /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> vals: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = threadId(gid);
  if (j >= p.len) { return; }
  var h: array<i32, ${np}>;
  var o: array<i32, ${np}>;
  for (var m = 0u; m < ${np}u; m = m + 1u) {
    if (m < p.n) {
      let at = 2u * (m * p.stride + j);
      h[m] = vals[at];
      o[m] = vals[at + 1u];
    } else { h[m] = 1073741824; o[m] = 0; }
  }
  ${bitonic(np, "(h[i] > h[l] || (h[i] == h[l] && o[i] > o[l]))", "let th = h[i]; h[i] = h[l]; h[l] = th; let to = o[i]; o[i] = o[l]; o[l] = to;")}
  var s: array<i32, 6>;
  for (var r = p.a; r <= p.b; r = r + 1u) {
    let d = digitsOf(h[r], o[r]);
    for (var q = 0u; q < 6u; q = q + 1u) { s[q] = s[q] + d[q]; }
  }
  for (var q = 0u; q < 6u; q = q + 1u) { out[q * p.len + j] = s[q]; }
}
`;
}

/**
 * Dot products, fast path. Row r = rows[r] = (a, b, c, e) of value-matrix rows; it accumulates
 * `sum_j (V_a - V_b)[j] * (V_c - V_e)[j]` (distances: (i, k, i, k); scores: A and a zero row are
 * rows of V). Invocation (r, s) for s < p.b = segments takes words s, s + segs, ... (coalesced) and
 * adds into the persistent 64-bit accumulator `acc[r * segs + s]`. Bound: a word adds 4 products of
 * differences |x| <= 255, so <= 2^18; 2^12 words per i32 run stay below 2^30 before each fold;
 * 64-bit totals stay below 2^16 * 2^32 coordinates.
 */
export const DOTS_I8 = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> vals: array<u32>;
@group(0) @binding(2) var<storage, read> rows: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read_write> acc: array<vec2<u32>>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = threadId(gid);
  let segs = p.b;
  if (t >= p.a * segs) { return; }
  let r = t / segs;
  let s = t % segs;
  let row = rows[r];
  var total = acc[t];
  var run = 0;
  var count = 0u;
  for (var word = s; word < p.stride; word = word + segs) {
    let xa = vals[row.x * p.stride + word];
    let xb = vals[row.y * p.stride + word];
    let xc = vals[row.z * p.stride + word];
    let xe = vals[row.w * p.stride + word];
    for (var k = 0u; k < 4u; k = k + 1u) {
      run = run + (byteOf(xa, k) - byteOf(xb, k)) * (byteOf(xc, k) - byteOf(xe, k));
    }
    count = count + 1u;
    if (count == 4096u) { total = add64(total, run); run = 0; count = 0u; }
  }
  acc[t] = add64(total, run);
}
`;

/**
 * Dot products, general path: as {@link DOTS_I8} over limbs. A difference of two values
 * (|x| <= 2^53) is normalised to hi * 2^30 + lo with lo in [0, 2^30) and |hi| <= 2^23, so its digits
 * are e0..e4 in [0, 1024) and e5 in [-8, 8]. Position q = m + n (0..10) of a product collects at most
 * 6 digit products, each <= 1023^2: <= 6 279 174 per coordinate; 256 coordinates per i32 run:
 * 1 607 468 544 < 2^31 - 1 before each fold into the 64-bit accumulator `acc[(r * segs + s) * 11 + q]`
 * (totals below 2^23 * 2^32 coordinates).
 */
export const DOTS_LIMBS = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> vals: array<i32>;
@group(0) @binding(2) var<storage, read> rows: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read_write> acc: array<vec2<u32>>;

fn diffDigits(x: u32, y: u32, j: u32) -> array<i32, 6> {
  let ax = 2u * (x * p.stride + j);
  let ay = 2u * (y * p.stride + j);
  var hi = vals[ax] - vals[ay];
  var lo = vals[ax + 1u] - vals[ay + 1u];
  if (lo < 0) { lo = lo + 1073741824; hi = hi - 1; }
  return digitsOf(hi, lo);
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = threadId(gid);
  let segs = p.b;
  if (t >= p.a * segs) { return; }
  let r = t / segs;
  let s = t % segs;
  let row = rows[r];
  var total: array<vec2<u32>, 11>;
  for (var q = 0u; q < 11u; q = q + 1u) { total[q] = acc[t * 11u + q]; }
  var run: array<i32, 11>;
  var count = 0u;
  for (var j = s; j < p.len; j = j + segs) {
    let x = diffDigits(row.x, row.y, j);
    let y = diffDigits(row.z, row.w, j);
    for (var m = 0u; m < 6u; m = m + 1u) {
      for (var n = 0u; n < 6u; n = n + 1u) { run[m + n] = run[m + n] + x[m] * y[n]; }
    }
    count = count + 1u;
    if (count == 256u) {
      for (var q = 0u; q < 11u; q = q + 1u) { total[q] = add64(total[q], run[q]); run[q] = 0; }
      count = 0u;
    }
  }
  for (var q = 0u; q < 11u; q = q + 1u) { acc[t * 11u + q] = add64(total[q], run[q]); }
}
`;

/** Multi-krum distance tiles: rows and columns of contributors per dispatch (see {@link distanceTile}). */
export const DISTANCE_TILE = 512;

/**
 * Multi-krum distances, one invocation per pair of a `p.d x p.c` tile of rows `p.a..` and columns
 * `p.b..` (pairs with `i >= k` or `k >= p.n` write nothing), over one chunk of limbs (`p.len`
 * values per row, `p.stride` = `p.len`). Invocation (i, k) computes `|Q_i - Q_k|` per coordinate,
 * normalised to `H * 2^30 + L` with `L` in [0, 2^30) and `H >= 0`, and its base-2^10 digits
 * e0..e(K-1), all in [0, 1024) (K digits hold it: the host picks K with `2 M < 2^(10 K)`, M the
 * largest |Q|, so `|Q_i - Q_k| <= 2 M`). Position c (0..2K-2) of the square collects
 * `sum_{m+n=c} e_m e_n`, at most `K * 1023^2 <= 6 279 174` per coordinate; 256 coordinates per u32
 * run (1 607 468 544 < 2^32) before each fold into the 64-bit total `acc[t * (2K-1) + c]`. Every
 * position is non-negative, so the host sums `total_c * 2^(10 c)` in float64 exactly whenever the
 * pair total is below 2^53.
 */
export function distanceTile(digits: number): string {
  const positions = 2 * digits - 1;
  const square: string[] = [];
  for (let c = 0; c < positions; c++) {
    const terms: string[] = [];
    for (let m = 0; m < digits; m++) {
      const n = c - m;
      if (n >= 0 && n < digits) terms.push(`e[${m}] * e[${n}]`);
    }
    square.push(`run[${c}] = run[${c}] + ${terms.join(" + ")};`);
  }
  return /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> vals: array<i32>;
@group(0) @binding(2) var<storage, read_write> acc: array<vec2<u32>>;

fn add64u(acc: vec2<u32>, x: u32) -> vec2<u32> {
  let lo = acc.x + x;
  return vec2<u32>(lo, acc.y + select(0u, 1u, lo < acc.x));
}

// Base-2^10 digits of |Q_x - Q_y| at element j, all in [0, 1024).
fn absDiffDigits(x: u32, y: u32, j: u32) -> array<u32, 6> {
  let ax = 2u * (x * p.stride + j);
  let ay = 2u * (y * p.stride + j);
  var hi = vals[ax] - vals[ay];
  var lo = vals[ax + 1u] - vals[ay + 1u];
  if (lo < 0) { lo = lo + 1073741824; hi = hi - 1; }
  if (hi < 0) {
    if (lo == 0) { hi = -hi; } else { hi = -hi - 1; lo = 1073741824 - lo; }
  }
  let d = digitsOf(hi, lo);
  return array<u32, 6>(u32(d[0]), u32(d[1]), u32(d[2]), u32(d[3]), u32(d[4]), u32(d[5]));
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = threadId(gid);
  if (t >= p.c * p.d) { return; }
  let i = p.a + t / p.c;
  let k = p.b + t % p.c;
  if (i >= k || k >= p.n) { return; }
  var total: array<vec2<u32>, ${positions}>;
  var run: array<u32, ${positions}>;
  var count = 0u;
  for (var j = 0u; j < p.len; j = j + 1u) {
    let e = absDiffDigits(i, k, j);
    ${square.join("\n    ")}
    count = count + 1u;
    if (count == 256u) {
      for (var q = 0u; q < ${positions}u; q = q + 1u) { total[q] = add64u(total[q], run[q]); run[q] = 0u; }
      count = 0u;
    }
  }
  for (var q = 0u; q < ${positions}u; q = q + 1u) { acc[t * ${positions}u + q] = add64u(total[q], run[q]); }
}
`;
}
