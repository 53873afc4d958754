// UTF-8 for engines without TextEncoder/TextDecoder (QuickJS has neither). The guest binary
// installs its C codec (real.ts); the JavaScript versions below define the behaviour (lone
// surrogates and malformed bytes become U+FFFD) and serve Node and malformed input.

/** A faster codec: decode returns null when it leaves malformed input to jsDecodeUtf8. */
export interface Utf8Codec {
  encode(s: string): Uint8Array;
  decode(b: Uint8Array): string | null;
}

let codec: Utf8Codec | null = null;

export function installUtf8Codec(c: Utf8Codec | null): void {
  codec = c;
}

export function encodeUtf8(s: string): Uint8Array {
  return codec ? codec.encode(s) : jsEncodeUtf8(s);
}

/** Decodes UTF-8; malformed sequences become U+FFFD. */
export function decodeUtf8(b: Uint8Array): string {
  return codec?.decode(b) ?? jsDecodeUtf8(b);
}

export function jsEncodeUtf8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

export function jsDecodeUtf8(b: Uint8Array): string {
  let s = '';
  const chunk: number[] = [];
  const flush = () => {
    s += String.fromCharCode(...chunk);
    chunk.length = 0;
  };
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    let cp = 0xfffd;
    let len = 1;
    const cont = (k: number) => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
    if (c < 0x80) cp = c;
    else if (c >= 0xc2 && c < 0xe0 && cont(1)) {
      cp = ((c & 31) << 6) | (b[i + 1]! & 63);
      len = 2;
    } else if (c >= 0xe0 && c < 0xf0 && cont(1) && cont(2)) {
      cp = ((c & 15) << 12) | ((b[i + 1]! & 63) << 6) | (b[i + 2]! & 63);
      len = 3;
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
    } else if (c >= 0xf0 && c < 0xf5 && cont(1) && cont(2) && cont(3)) {
      cp = ((c & 7) << 18) | ((b[i + 1]! & 63) << 12) | ((b[i + 2]! & 63) << 6) | (b[i + 3]! & 63);
      len = 4;
      if (cp < 0x10000 || cp > 0x10ffff) cp = 0xfffd;
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 1023));
    } else chunk.push(cp);
    if (chunk.length > 4096) flush();
  }
  flush();
  return s;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
