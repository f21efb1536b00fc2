// TOTP (RFC 6238) and HOTP (RFC 4226) against the RFCs' own test vectors; base32, the ±1-step
// window, the otpauth URI; the AES-256-GCM sealing of secrets; the pending sign-in token; the QR
// matrix (finder patterns where a reader looks for them).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { base32Decode, base32Encode, hotp, matchStep, otpauthUri, stepAt, totp } from '../src/accounts/totp.ts';
import { deriveTotpKey, open, seal } from '../src/accounts/secret-box.ts';
import { pendingUserId, signPending, verifyPending } from '../src/accounts/pending-sign-in.ts';
import { qrMatrix } from '../src/accounts/qr.ts';
import { generateRecoveryCodes, normalizeRecoveryCode } from '../src/accounts/recovery-codes.ts';

const t = suite('totp');

// RFC 6238 Appendix B: the seeds are ASCII "1234567890" repeated to the hash's length.
const SEEDS = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const VECTORS: Array<[number, string, string, string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

t('RFC 6238 Appendix B: every test vector, SHA-1, SHA-256 and SHA-512, 8 digits', () => {
  for (const [seconds, sha1, sha256, sha512] of VECTORS) {
    assert.is(totp(SEEDS.sha1, seconds * 1000, { digits: 8, algorithm: 'sha1' }), sha1, `sha1 at ${seconds}`);
    assert.is(totp(SEEDS.sha256, seconds * 1000, { digits: 8, algorithm: 'sha256' }), sha256, `sha256 at ${seconds}`);
    assert.is(totp(SEEDS.sha512, seconds * 1000, { digits: 8, algorithm: 'sha512' }), sha512, `sha512 at ${seconds}`);
  }
  // The step number of the vectors' table (T as hex): 0x23523EC at 1111111109.
  assert.is(stepAt(1111111109 * 1000), 0x23523ec);
  assert.is(stepAt(20000000000 * 1000), 0x27bc86aa);
});

t('RFC 4226 Appendix D: HOTP counters 0..9, 6 digits; the default TOTP is the last 6 digits of the SHA-1 vectors', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  assert.equal(expected.map((_, counter) => hotp(SEEDS.sha1, counter)), expected);
  assert.is(totp(SEEDS.sha1, 59_000), '287082');
  assert.is(totp(SEEDS.sha1, 1111111109_000), '081804');
});

t('matchStep accepts the current step and one either side, nothing further, and says which step', () => {
  const now = 1_700_000_000_000;
  const step = stepAt(now);
  const at = (s: number) => hotp(SEEDS.sha1, s);
  assert.is(matchStep(SEEDS.sha1, at(step), now), step);
  assert.is(matchStep(SEEDS.sha1, at(step - 1), now), step - 1);
  assert.is(matchStep(SEEDS.sha1, at(step + 1), now), step + 1);
  assert.is(matchStep(SEEDS.sha1, at(step - 2), now), null);
  assert.is(matchStep(SEEDS.sha1, at(step + 2), now), null);
  assert.is(matchStep(SEEDS.sha1, '12345', now), null, 'five digits');
  assert.is(matchStep(SEEDS.sha1, 'abcdef', now), null);
  assert.is(matchStep(Buffer.from('another key of twenty'), at(step), now), null, 'another secret');
});

t('base32 (RFC 4648 §10 vectors, no padding) round-trips; otpauth URI carries the secret and issuer', () => {
  const cases: Array<[string, string]> = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
  for (const [plain, encoded] of cases) {
    assert.is(base32Encode(Buffer.from(plain)), encoded);
    assert.is(base32Decode(encoded).toString(), plain);
  }
  assert.is(base32Decode('mzxw 6ytb-oi').toString(), 'foobar', 'lower case, spaces and dashes as people type them');
  assert.throws(() => base32Decode('MZ1'), /"1" is not a base32 character/);
  const text = otpauthUri(SEEDS.sha1, 'aisha@example.com');
  assert.ok(text.startsWith('otpauth://totp/pgtrail:aisha%40example.com?'), text);
  const uri = new URL(text);
  assert.is(uri.searchParams.get('secret'), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  assert.is(uri.searchParams.get('issuer'), 'pgtrail');
  // SHA-1, 6 digits, 30 s: the format's defaults, which is why the URI leaves them out.
  assert.equal([...uri.searchParams.keys()], ['secret', 'issuer']);
});

t('sealed secrets open with the same key and user only; altered text does not open', () => {
  const key = deriveTotpKey(Buffer.alloc(32, 7));
  const sealed = seal(key, SEEDS.sha1, '42');
  assert.match(sealed, /^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
  assert.not.ok(sealed.includes(SEEDS.sha1.toString('base64url')), 'not the plain secret');
  assert.equal(open(key, sealed, '42'), SEEDS.sha1);
  assert.is(open(key, sealed, '43'), null, 'another user\'s row');
  assert.is(open(deriveTotpKey(Buffer.alloc(32, 8)), sealed, '42'), null, 'another key');
  const parts = sealed.split('.');
  parts[2] = (parts[2][0] === 'A' ? 'B' : 'A') + parts[2].slice(1);
  assert.is(open(key, parts.join('.'), '42'), null, 'altered ciphertext');
  assert.not.equal(seal(key, SEEDS.sha1, '42'), sealed, 'a fresh IV each time');
  assert.throws(() => deriveTotpKey(Buffer.alloc(31)), /at least 32 bytes/);
});

t('pending sign-in token: signed, bound to the password hash, expires', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const user = { id: '7', password_hash: 'scrypt$16384$8$1$salt$hash' };
  const token = signPending('secret', user, now);
  assert.is(pendingUserId(token, now), '7');
  assert.ok(verifyPending('secret', token, user.password_hash));
  assert.not.ok(verifyPending('another secret', token, user.password_hash), 'another server secret');
  assert.not.ok(verifyPending('secret', token, 'scrypt$16384$8$1$salt$changed'), 'the password changed since');
  assert.not.ok(verifyPending('secret', token.replace(/^7\./, '8.'), user.password_hash), 'another user id');
  assert.is(pendingUserId(token, new Date(now.getTime() + 5 * 60_000)), null, 'expired after five minutes');
  assert.is(pendingUserId('7.1.x.y', now), null, 'malformed');
});

t('recovery codes: ten, distinct, xxxxx-xxxxx in base32; typed forms normalise', () => {
  const codes = generateRecoveryCodes();
  assert.is(codes.length, 10);
  assert.is(new Set(codes).size, 10);
  for (const code of codes) assert.match(code, /^[a-z2-7]{5}-[a-z2-7]{5}$/);
  assert.is(normalizeRecoveryCode(' ABCDE-fghij '.replace('i', '2')), 'abcdefgh2j');
  assert.is(normalizeRecoveryCode('123456'), null, 'a TOTP code is not a recovery code');
});

t('QR matrix: a square of 21 + 4k modules with the three finder patterns in their corners', () => {
  const m = qrMatrix(otpauthUri(SEEDS.sha1, 'aisha@example.com'));
  const size = m.length;
  assert.ok(size >= 21 && (size - 21) % 4 === 0, `size ${size}`);
  for (const row of m) assert.is(row.length, size);
  const finder = (r0: number, c0: number) => {
    for (let r = 0; r < 7; r++) {
      for (let c = 0; c < 7; c++) {
        const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
        assert.is(m[r0 + r][c0 + c], ring !== 2, `finder at ${r0},${c0} module ${r},${c}`);
      }
    }
  };
  finder(0, 0);
  finder(0, size - 7);
  finder(size - 7, 0);
  // The bottom-right corner has no finder pattern (that is how a reader orients the code).
  const corner = [0, 1, 2, 3, 4, 5, 6].flatMap((r) => [0, 1, 2, 3, 4, 5, 6].map((c) => m[size - 7 + r][size - 7 + c]));
  assert.ok(corner.some((d) => !d) && corner.some((d) => d));
});

t.run();
