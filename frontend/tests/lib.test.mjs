// Unit tests of the pure front-end helpers: node --test frontend/tests/
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvLine, parseCsv, parseJsonLines } from '../src/lib/csv.js';
import { exponentOf, parseMajor, toMajor } from '../src/lib/currencies.js';
import { throttled } from '../src/lib/throttle.js';

test('CSV: quotes, doubled quotes, newlines and CRLF, with the line each record starts on', () => {
  const text = '\ufeffa,b,c\r\n1,"x, ""y""",3\r\n"multi\nline",,z\n\n4,5,6';
  assert.deepEqual(parseCsv(text), [
    { line: 1, fields: ['a', 'b', 'c'] },
    { line: 2, fields: ['1', 'x, "y"', '3'] },
    { line: 3, fields: ['multi\nline', '', 'z'] },
    { line: 6, fields: ['4', '5', '6'] },
  ]);
  assert.throws(() => parseCsv('a,"open\n'), /unterminated quote/);
});

test('CSV lines round-trip', () => {
  const values = ['plain', 'with, comma', 'with "quote"', 'two\nlines', null];
  assert.deepEqual(parseCsv(csvLine(values))[0].fields, ['plain', 'with, comma', 'with "quote"', 'two\nlines', '']);
});

test('JSON Lines keep line numbers and report bad lines', () => {
  assert.deepEqual(parseJsonLines('{"a":1}\n\n{bad}\n'), [
    { line: 1, value: { a: 1 } },
    { line: 3, error: parseJsonLines('{bad}')[0].error },
  ]);
});

test('money: ISO 4217 exponents, exact parsing, no extra decimals', () => {
  assert.equal(exponentOf('CNY'), 2);
  assert.equal(exponentOf('JPY'), 0);
  assert.equal(exponentOf('KWD'), 3);
  assert.equal(parseMajor('8.00', 'CNY'), 800);
  assert.equal(parseMajor('12.5', 'CNY'), 1250);
  assert.equal(parseMajor('0.29', 'USD'), 29); // 0.29 * 100 is 28.999... in floating point
  assert.equal(parseMajor('1500', 'JPY'), 1500);
  assert.equal(parseMajor('1.234', 'KWD'), 1234);
  assert.throws(() => parseMajor('8.001', 'CNY'), /2 decimal places/);
  assert.throws(() => parseMajor('8,00', 'CNY'), /not a decimal/);
  assert.throws(() => parseMajor('1.5', 'JPY'), /0 decimal places/);
  assert.equal(toMajor(880, 'CNY'), 8.8);
});

test('throttled runs at once, then once more at the end of a burst, never in between', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let runs = 0;
  const refresh = throttled(() => { runs += 1; }, 500);
  refresh();
  assert.equal(runs, 1);
  refresh();
  refresh();
  refresh();
  assert.equal(runs, 1);
  t.mock.timers.tick(499);
  assert.equal(runs, 1);
  t.mock.timers.tick(1);
  assert.equal(runs, 2); // the burst's last change is not lost
  t.mock.timers.tick(1000);
  assert.equal(runs, 2); // nothing pending: no extra run
  refresh();
  assert.equal(runs, 3);
});
