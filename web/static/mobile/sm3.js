/* SM3 cryptographic hash (GB/T 32905-2016) in plain JavaScript, for hashing evidence on the device.

   window.hubSm3.hex(Uint8Array) -> 64 lower-case hex digits
   window.hubSm3.create() -> {update(Uint8Array) (chainable), hex()}   incremental: feed a file in slices

   Words are 32-bit, big-endian; every sum is taken modulo 2^32 with `>>> 0`. The message is padded with
   0x80, zeros, and its length in bits as a 64-bit big-endian number (lengths up to 2^53 bits are exact). */
(function (root) {
  "use strict";

  var IV = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];

  function rotl(x, n) {
    n = n % 32;
    return n === 0 ? x >>> 0 : ((x << n) | (x >>> (32 - n))) >>> 0;
  }
  function p0(x) { return (x ^ rotl(x, 9) ^ rotl(x, 17)) >>> 0; }
  function p1(x) { return (x ^ rotl(x, 15) ^ rotl(x, 23)) >>> 0; }

  // T_j rotated by j, precomputed for the 64 rounds
  var TJ = new Array(64);
  for (var j = 0; j < 64; j++) { TJ[j] = rotl(j < 16 ? 0x79cc4519 : 0x7a879d8a, j); }

  var W = new Array(68);
  var W1 = new Array(64);

  /* Compress one 64-byte block of `bytes` from `at` into the state `v` (8 words, changed in place). */
  function compress(v, bytes, at) {
    var i;
    for (i = 0; i < 16; i++) {
      var k = at + 4 * i;
      W[i] = ((bytes[k] << 24) | (bytes[k + 1] << 16) | (bytes[k + 2] << 8) | bytes[k + 3]) >>> 0;
    }
    for (i = 16; i < 68; i++) {
      W[i] = (p1(W[i - 16] ^ W[i - 9] ^ rotl(W[i - 3], 15)) ^ rotl(W[i - 13], 7) ^ W[i - 6]) >>> 0;
    }
    for (i = 0; i < 64; i++) { W1[i] = (W[i] ^ W[i + 4]) >>> 0; }
    var a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
    for (i = 0; i < 64; i++) {
      var a12 = rotl(a, 12);
      var ss1 = rotl((a12 + e + TJ[i]) >>> 0, 7);
      var ss2 = (ss1 ^ a12) >>> 0;
      var ff = i < 16 ? (a ^ b ^ c) : ((a & b) | (a & c) | (b & c));
      var gg = i < 16 ? (e ^ f ^ g) : ((e & f) | (~e & g));
      var tt1 = ((ff >>> 0) + d + ss2 + W1[i]) >>> 0;
      var tt2 = ((gg >>> 0) + h + ss1 + W[i]) >>> 0;
      d = c;
      c = rotl(b, 9);
      b = a;
      a = tt1;
      h = g;
      g = rotl(f, 19);
      f = e;
      e = p0(tt2);
    }
    v[0] = (v[0] ^ a) >>> 0; v[1] = (v[1] ^ b) >>> 0; v[2] = (v[2] ^ c) >>> 0; v[3] = (v[3] ^ d) >>> 0;
    v[4] = (v[4] ^ e) >>> 0; v[5] = (v[5] ^ f) >>> 0; v[6] = (v[6] ^ g) >>> 0; v[7] = (v[7] ^ h) >>> 0;
  }

  function toHex(v) {
    var out = "";
    for (var i = 0; i < 8; i++) { out += ("00000000" + v[i].toString(16)).slice(-8); }
    return out;
  }

  function create() {
    var state = IV.slice();
    var block = new Uint8Array(64);  // bytes waiting for a whole block
    var filled = 0;
    var length = 0;                  // bytes fed so far
    var done = null;

    var hasher = {
      update: function (data) {
        if (done !== null) { throw new Error("SM3: update after hex()"); }
        if (!(data instanceof Uint8Array)) { throw new TypeError("SM3: update takes a Uint8Array"); }
        var i = 0, n = data.length;
        length += n;
        if (filled > 0) {
          while (filled < 64 && i < n) { block[filled++] = data[i++]; }
          if (filled < 64) { return hasher; }
          compress(state, block, 0);
          filled = 0;
        }
        for (; i + 64 <= n; i += 64) { compress(state, data, i); }
        while (i < n) { block[filled++] = data[i++]; }
        return hasher;
      },
      hex: function () {
        if (done !== null) { return done; }
        var bits = length * 8;
        var tail = new Uint8Array(filled < 56 ? 64 : 128);
        tail.set(block.subarray(0, filled));
        tail[filled] = 0x80;
        var high = Math.floor(bits / 4294967296), low = bits >>> 0;
        var end = tail.length;
        tail[end - 8] = (high >>> 24) & 0xff; tail[end - 7] = (high >>> 16) & 0xff;
        tail[end - 6] = (high >>> 8) & 0xff;  tail[end - 5] = high & 0xff;
        tail[end - 4] = (low >>> 24) & 0xff;  tail[end - 3] = (low >>> 16) & 0xff;
        tail[end - 2] = (low >>> 8) & 0xff;   tail[end - 1] = low & 0xff;
        for (var at = 0; at < end; at += 64) { compress(state, tail, at); }
        done = toHex(state);
        return done;
      }
    };
    return hasher;
  }

  function hex(data) { return create().update(data).hex(); }

  root.hubSm3 = { create: create, hex: hex };
  if (typeof module !== "undefined" && module.exports) { module.exports = root.hubSm3; }
}(typeof window !== "undefined" ? window : globalThis));
