// Fixtures for the kiosk's black-box tests: signing keys made by the real
// `signet keygen`, feed envelopes signed in-process (thousands a second, for
// soak and crash tests; the same DSSE bytes `signet sign` makes, checked by
// the kiosk itself), small PNGs and RFC 3339 times.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export const PAYLOAD_TYPE = 'application/vnd.signet.feed+json';
export const HOUR = 3600e3;
export const DAY = 24 * HOUR;

export const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');
// Wire times are RFC 3339 UTC without fractions.
export const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// A valid w x h RGB PNG of one colour.
export function makePng(w, h, [r, g, b]) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => [r, g, b]).flat())]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(Array(h).fill(row)))), chunk('IEND', Buffer.alloc(0))]);
}

// Makes a key pair with `signet keygen` in dir (NAME.key, NAME.pub) and
// returns {pub (path), keyid, sign(payloadObject) -> envelope Buffer}.
// The secret file is libsodium's 64-byte secret key: seed, then public key.
export function keyPair(signet, dir, name) {
  const secret = path.join(dir, `${name}.key`), pub = path.join(dir, `${name}.pub`);
  execFileSync(signet, ['keygen', '--secret', secret, '--public', pub], { stdio: 'ignore' });
  const sk = Buffer.from(fs.readFileSync(secret, 'utf8').trim(), 'base64');
  const b64u = (b) => b.toString('base64url');
  const key = crypto.createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64u(sk.subarray(0, 32)),
    x: b64u(sk.subarray(32)) }, format: 'jwk' });
  const keyid = sha256(sk.subarray(32)).slice(0, 16);
  return {
    pub,
    keyid,
    sign(payload) {
      const body = Buffer.from(JSON.stringify(payload), 'utf8');
      const type = Buffer.from(PAYLOAD_TYPE, 'utf8');
      const pae = Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type,
        Buffer.from(` ${body.length} `), body]);
      const sig = crypto.sign(null, pae, key);
      return Buffer.from(JSON.stringify({ payloadType: PAYLOAD_TYPE, payload: body.toString('base64'),
        signatures: [{ keyid, sig: sig.toString('base64') }] }));
    },
  };
}

// An approved tip (approval from an hour ago to a day from `now`).
export function tip(id, { now = Date.now(), rev = 1, media = null, until = now + DAY } = {}) {
  const it = { id, rev, kind: 'tip', title: `Tipp ${id}`, body: 'Hände waschen, mindestens 20 Sekunden.',
    lang: 'de', approval: { by: 'anna', at: iso(now - HOUR), until: iso(until) } };
  if (media) it.media = [{ sha256: media, type: 'image/png', alt: 'Bild' }];
  return it;
}

// A feed payload for screen with the given version and items.
export function payload({ version, items, screen = 's1', now = Date.now(), issued = now - 60e3,
  expires = now + DAY }) {
  return { signet_feed: '1.0', screen, version, issued: iso(issued), expires: iso(expires),
    clinic: 'Praxis am Markt', items };
}
