// The one id test (src/db/ids.ts) every path uses: events, cursors, transactions, users, tokens.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isBigintId } from '../src/db/ids.ts';

const t = suite('ids');

t('whole numbers from 0 to 2^63 − 1 are ids', () => {
  for (const ok of ['0', '1', '42', '9223372036854775807', '0009']) assert.ok(isBigintId(ok), ok);
});

t('anything else is not: out of range, signs, spaces, fractions, exponents, other digits, empty', () => {
  for (const bad of ['9223372036854775808', '99999999999999999999', '-1', '+1', ' 1', '1 ', '1.0', '1e3', '0x1f', '١٢', '', '1;--']) {
    assert.not.ok(isBigintId(bad), JSON.stringify(bad));
  }
});

t.run();
