// The lossless JSON parser/renderer the console reads events with (src/query/exact-json.ts):
// numbers JavaScript would round are kept as their tokens, everything else is what JSON.parse gives.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExactJsonError, ExactNumber, parseExact, stringifyExact } from '../src/query/exact-json.ts';

const t = suite('exact-json');

const LOSSY = ['9223372036854775807', '-9223372036854775808', '9007199254740993', '0.1000000000000000055511151231257827',
  '3.141592653589793238', '0.0000001', '1.0', '100.50', '1E+2', '-0', '1e400', '123456789012345678901234567890.123456789'];
const EXACT = ['0', '-1', '42', '9007199254740991', '0.1', '3.14', '1e-7', '1.5e+300'];

t('numbers JavaScript would round (or write differently) are kept as their tokens; the others are numbers', () => {
  for (const token of LOSSY) {
    const v = parseExact(token);
    assert.instance(v, ExactNumber, token);
    assert.is((v as ExactNumber).text, token);
    assert.is(stringifyExact(v), token);
    assert.is(String(v), token);
  }
  for (const token of EXACT) {
    assert.is(parseExact(token), Number(token), token);
    assert.is(stringifyExact(parseExact(token)), token);
  }
  // The control: JSON.parse does lose these.
  assert.is.not(JSON.stringify(JSON.parse('9223372036854775807')), '9223372036854775807');
  assert.is.not(JSON.stringify(JSON.parse('0.1000000000000000055511151231257827')), '0.1000000000000000055511151231257827');
});

t('objects, arrays, strings, escapes and literals parse as JSON.parse parses them', () => {
  const texts = [
    '{"a" : 1, "b" : [true, false, null, "x"], "c" : {"d" : "e\\"\\\\\\n\\u00e9\\ud83d\\ude00"}}',
    '[]', '{}', '""', '"plain"', ' [ 1 , [ ] , { } ] ', '{"":0}', '"\\/\\b\\f\\r\\t"',
    JSON.stringify({ nested: [[[{ deep: 'é 😀 \u2028' }]]], n: -12.5e-3 }),
  ];
  for (const text of texts) assert.equal(parseExact(text), JSON.parse(text), text);
  for (const text of texts) assert.is(stringifyExact(parseExact(text)), JSON.stringify(JSON.parse(text)), text);
});

t('a key named __proto__ is data, as with JSON.parse, not the prototype', () => {
  const v = parseExact('{"__proto__" : {"polluted" : 1}, "x" : 2}') as Record<string, unknown>;
  assert.equal(Object.keys(v), ['__proto__', 'x']);
  assert.is(Object.getPrototypeOf(v), Object.prototype);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  assert.is(stringifyExact(v), '{"__proto__":{"polluted":1},"x":2}');
});

t('stringifyExact indents like JSON.stringify(value, null, 2), with exact numbers in place', () => {
  const text = '{"big" : 9223372036854775807, "list" : [1, {"amount" : 0.1000000000000000055511151231257827}], "empty" : [], "o" : {}}';
  const pretty = stringifyExact(parseExact(text), 2);
  const shape = JSON.stringify(JSON.parse(text.replace('9223372036854775807', '1').replace('0.1000000000000000055511151231257827', '2')), null, 2);
  assert.is(pretty, shape.replace('"big": 1', '"big": 9223372036854775807').replace('"amount": 2', '"amount": 0.1000000000000000055511151231257827'));
});

t('malformed JSON is refused with the offset and the reason', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /unexpected end/], ['{', /expected a key/], ['[1,]', /unexpected "\]"/], ['{"a" 1}', /expected :/],
    ['[1 2]', /expected , or \]/], ['01', /unexpected text after the value/], ['"\u0001"', /raw control character/],
    ['"abc', /unterminated string/], ['"\\x"', /malformed string escape/], ['tru', /unexpected "t"/], ['-', /malformed number/],
    ['1.', /unexpected text after the value/], ['{"a":1}x', /offset 7: unexpected text/],
  ];
  for (const [text, reason] of bad) {
    assert.throws(() => parseExact(text), (e: Error) => e instanceof ExactJsonError && reason.test(e.message), text);
  }
});

t.run();
