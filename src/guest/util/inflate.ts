// DEFLATE (RFC 1951) and gzip (RFC 1952) decompression in plain TypeScript: QuickJS has no zlib.
// Output is streamed in chunks so a large layer never has to sit in memory whole; only the
// compressed input and a 32 KiB window (plus one chunk) are held.

const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

export class InflateError extends Error {
  override name = 'InflateError';
}

/** A decoding table indexed by the next `bits` input bits (LSB first): entry = symbol << 4 | length. */
interface Huffman {
  table: Int32Array;
  bits: number;
}

function buildHuffman(lengths: ArrayLike<number>, n: number): Huffman {
  let maxLen = 0;
  const count = new Array<number>(16).fill(0);
  for (let i = 0; i < n; i++) {
    const l = lengths[i]!;
    count[l]!++;
    if (l > maxLen) maxLen = l;
  }
  const bits = Math.max(maxLen, 1);
  const table = new Int32Array(1 << bits).fill(-1);
  count[0] = 0;
  const next = new Array<number>(16).fill(0);
  let code = 0;
  for (let len = 1; len <= 15; len++) {
    code = (code + count[len - 1]!) << 1;
    next[len] = code;
  }
  for (let sym = 0; sym < n; sym++) {
    const len = lengths[sym]!;
    if (len === 0) continue;
    const c = next[len]!++;
    let rev = 0;
    for (let i = 0; i < len; i++) rev |= ((c >> i) & 1) << (len - 1 - i);
    const entry = (sym << 4) | len;
    for (let k = rev; k < table.length; k += 1 << len) table[k] = entry;
  }
  return { table, bits };
}

let fixedLit: Huffman | undefined;
let fixedDist: Huffman | undefined;
function fixedTables(): [Huffman, Huffman] {
  if (!fixedLit || !fixedDist) {
    const l = new Uint8Array(288);
    l.fill(8, 0, 144);
    l.fill(9, 144, 256);
    l.fill(7, 256, 280);
    l.fill(8, 280, 288);
    fixedLit = buildHuffman(l, 288);
    fixedDist = buildHuffman(new Uint8Array(30).fill(5), 30);
  }
  return [fixedLit, fixedDist];
}

const WINDOW = 32768;
const CHUNK = 65536;

/**
 * Inflates raw DEFLATE data starting at `start`; calls `emit` with successive output chunks (a view
 * valid only during the call). Returns the offset just past the compressed data.
 */
export function inflateRaw(input: Uint8Array, start: number, emit: (chunk: Uint8Array) => void): number {
  let pos = start;
  let bitbuf = 0;
  let bitcnt = 0;
  const out = new Uint8Array(WINDOW + CHUNK + 258);
  let op = 0;

  const need = (n: number): void => {
    while (bitcnt < n) {
      if (pos >= input.length) throw new InflateError('unexpected end of compressed data');
      bitbuf |= input[pos++]! << bitcnt;
      bitcnt += 8;
    }
  };
  const getBits = (n: number): number => {
    if (n === 0) return 0;
    need(n);
    const v = bitbuf & ((1 << n) - 1);
    bitbuf >>>= n;
    bitcnt -= n;
    return v;
  };
  const decode = (h: Huffman): number => {
    // fill as many bits as are available up to the table width
    while (bitcnt < h.bits && pos < input.length) {
      bitbuf |= input[pos++]! << bitcnt;
      bitcnt += 8;
    }
    const e = h.table[bitbuf & ((1 << h.bits) - 1)]!;
    const len = e & 15;
    if (e < 0 || len > bitcnt) throw new InflateError('invalid Huffman code');
    bitbuf >>>= len;
    bitcnt -= len;
    return e >> 4;
  };
  const flushIfFull = (): void => {
    if (op >= WINDOW + CHUNK) {
      emit(out.subarray(0, op - WINDOW));
      out.copyWithin(0, op - WINDOW, op);
      op = WINDOW;
    }
  };

  let final = 0;
  do {
    final = getBits(1);
    const type = getBits(2);
    if (type === 0) {
      // drop the partial byte; whole bytes read ahead go back to the input
      pos -= bitcnt >> 3;
      bitbuf = 0;
      bitcnt = 0;
      if (pos + 4 > input.length) throw new InflateError('unexpected end of compressed data');
      const len = input[pos]! | (input[pos + 1]! << 8);
      const nlen = input[pos + 2]! | (input[pos + 3]! << 8);
      pos += 4;
      if ((len ^ 0xffff) !== nlen) throw new InflateError('stored block length check failed');
      if (pos + len > input.length) throw new InflateError('unexpected end of compressed data');
      let left = len;
      while (left > 0) {
        const n = Math.min(left, WINDOW + CHUNK - op);
        out.set(input.subarray(pos, pos + n), op);
        op += n;
        pos += n;
        left -= n;
        flushIfFull();
      }
      continue;
    }
    let lit: Huffman;
    let dist: Huffman;
    if (type === 1) [lit, dist] = fixedTables();
    else if (type === 2) {
      const hlit = getBits(5) + 257;
      const hdist = getBits(5) + 1;
      const hclen = getBits(4) + 4;
      const clen = new Uint8Array(19);
      for (let i = 0; i < hclen; i++) clen[CLEN_ORDER[i]!] = getBits(3);
      const ch = buildHuffman(clen, 19);
      const lengths = new Uint8Array(hlit + hdist);
      let i = 0;
      while (i < hlit + hdist) {
        const sym = decode(ch);
        if (sym < 16) lengths[i++] = sym;
        else {
          let rep: number;
          let val = 0;
          if (sym === 16) {
            if (i === 0) throw new InflateError('repeat with no previous length');
            val = lengths[i - 1]!;
            rep = 3 + getBits(2);
          } else if (sym === 17) rep = 3 + getBits(3);
          else rep = 11 + getBits(7);
          if (i + rep > hlit + hdist) throw new InflateError('too many code lengths');
          lengths.fill(val, i, i + rep);
          i += rep;
        }
      }
      lit = buildHuffman(lengths.subarray(0, hlit), hlit);
      dist = buildHuffman(lengths.subarray(hlit), hdist);
    } else throw new InflateError('invalid block type 3');

    // the hot loop, with the bit reader inlined (QuickJS does not inline closures)
    const lt = lit.table;
    const lmask = (1 << lit.bits) - 1;
    const lbits = lit.bits;
    const dt = dist.table;
    const dmask = (1 << dist.bits) - 1;
    const dbits = dist.bits;
    const inLen = input.length;
    for (;;) {
      while (bitcnt < lbits && pos < inLen) {
        bitbuf |= input[pos++]! << bitcnt;
        bitcnt += 8;
      }
      let e = lt[bitbuf & lmask]!;
      let len = e & 15;
      if (e < 0 || len > bitcnt) throw new InflateError('invalid Huffman code');
      bitbuf >>>= len;
      bitcnt -= len;
      const sym = e >> 4;
      if (sym < 256) {
        out[op++] = sym;
        if (op >= WINDOW + CHUNK) flushIfFull();
        continue;
      }
      if (sym === 256) break;
      const li = sym - 257;
      if (li >= 29) throw new InflateError('invalid length symbol');
      let length = LEN_BASE[li]!;
      const le = LEN_EXTRA[li]!;
      if (le > 0) {
        while (bitcnt < le) {
          if (pos >= inLen) throw new InflateError('unexpected end of compressed data');
          bitbuf |= input[pos++]! << bitcnt;
          bitcnt += 8;
        }
        length += bitbuf & ((1 << le) - 1);
        bitbuf >>>= le;
        bitcnt -= le;
      }
      while (bitcnt < dbits && pos < inLen) {
        bitbuf |= input[pos++]! << bitcnt;
        bitcnt += 8;
      }
      e = dt[bitbuf & dmask]!;
      len = e & 15;
      if (e < 0 || len > bitcnt) throw new InflateError('invalid Huffman code');
      bitbuf >>>= len;
      bitcnt -= len;
      const di = e >> 4;
      if (di >= 30) throw new InflateError('invalid distance symbol');
      let d = DIST_BASE[di]!;
      const de = DIST_EXTRA[di]!;
      if (de > 0) {
        while (bitcnt < de) {
          if (pos >= inLen) throw new InflateError('unexpected end of compressed data');
          bitbuf |= input[pos++]! << bitcnt;
          bitcnt += 8;
        }
        d += bitbuf & ((1 << de) - 1);
        bitbuf >>>= de;
        bitcnt -= de;
      }
      if (d > op) throw new InflateError('distance too far back');
      if (d >= length) {
        out.copyWithin(op, op - d, op - d + length);
        op += length;
      } else {
        let from = op - d;
        for (let k = 0; k < length; k++) out[op++] = out[from++]!;
      }
      if (op >= WINDOW + CHUNK) flushIfFull();
    }
  } while (!final);
  if (op > 0) emit(out.subarray(0, op));
  // whole bytes still buffered were not consumed
  return pos - (bitcnt >> 3);
}

// int32 entries: QuickJS keeps them unboxed (Uint32 values above 2^31 would be doubles)
const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c | 0;
  }
  return t;
})();

export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc | 0;
  const n = data.length;
  for (let i = 0; i < n; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ ((c >>> 8) & 0xffffff);
  return ~c >>> 0;
}

export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/** Gunzips every member of a gzip stream, checking CRC and size; output streamed to emit. */
export function gunzip(input: Uint8Array, emit: (chunk: Uint8Array) => void): void {
  let pos = 0;
  do {
    if (input.length - pos < 18 || input[pos] !== 0x1f || input[pos + 1] !== 0x8b) throw new InflateError('not gzip data');
    if (input[pos + 2] !== 8) throw new InflateError('unknown gzip compression method');
    const flg = input[pos + 3]!;
    pos += 10;
    if (flg & 4) pos += 2 + (input[pos]! | (input[pos + 1]! << 8));
    if (flg & 8) while (input[pos++] !== 0 && pos < input.length);
    if (flg & 16) while (input[pos++] !== 0 && pos < input.length);
    if (flg & 2) pos += 2;
    let crc = 0;
    let size = 0;
    pos = inflateRaw(input, pos, (chunk) => {
      crc = crc32(chunk, crc);
      size = (size + chunk.length) >>> 0;
      emit(chunk);
    });
    if (pos + 8 > input.length) throw new InflateError('gzip trailer missing');
    const wantCrc = (input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16) | (input[pos + 3]! << 24)) >>> 0;
    const wantSize = (input[pos + 4]! | (input[pos + 5]! << 8) | (input[pos + 6]! << 16) | (input[pos + 7]! << 24)) >>> 0;
    if (wantCrc !== crc) throw new InflateError('gzip CRC mismatch');
    if (wantSize !== size) throw new InflateError('gzip size mismatch');
    pos += 8;
    while (pos < input.length && input[pos] === 0) pos++; // zero padding after the member
  } while (pos < input.length);
}

/** Convenience: the whole output in one array (tests, small blobs). */
export function gunzipAll(input: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  gunzip(input, (c) => {
    parts.push(c.slice());
    total += c.length;
  });
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
