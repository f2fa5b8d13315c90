import { strict as assert } from 'assert';
import {
  bigDecimalToString,
  civilFromDays,
  formatDouble,
  formatFloat,
  formatInstantText,
  formatLocalDateText,
  formatLocalTimeText,
  jsonString,
  shortestFloat,
} from '../../engine/savepoint/json';

describe('json formatting', () => {
  it('strings match JSON.stringify, including lone surrogates and non-BMP characters', () => {
    assert.equal(jsonString('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(jsonString('\b\t\n\f\r\u0001\u001f'), '"\\b\\t\\n\\f\\r\\u0001\\u001f"');
    assert.equal(jsonString('\ud800'), '"\\ud800"');
    assert.equal(jsonString('x\udfffy'), '"x\\udfffy"');
    assert.equal(jsonString('😀'), '"😀"');
    assert.equal(jsonString('\u2028\u007f'), '"\u2028\u007f"');
  });

  it('doubles', () => {
    assert.equal(formatDouble(0.1), '0.1');
    assert.equal(formatDouble(1e21), '1e+21');
    assert.equal(formatDouble(1.5e-7), '1.5e-7');
    assert.equal(formatDouble(-0), '0');
    assert.equal(formatDouble(NaN), '"NaN"');
    assert.equal(formatDouble(Infinity), '"Infinity"');
    assert.equal(formatDouble(-Infinity), '"-Infinity"');
    assert.equal(formatDouble(2 ** 53 + 2), '9007199254740994');
    assert.equal(formatDouble(5e-324), '5e-324');
  });

  it('floats: the shortest decimal that reads back to the same float32', () => {
    assert.equal(formatFloat(Math.fround(0.1)), '0.1');
    assert.equal(formatFloat(Math.fround(3.14159)), '3.14159');
    assert.equal(formatFloat(Math.fround(1e10)), '10000000000');
    assert.equal(formatFloat(Math.fround(16777217)), '16777216');
    assert.equal(formatFloat(Math.fround(3.4028234663852886e38)), '3.4028235e+38');
    assert.equal(formatFloat(1.401298464324817e-45), '1e-45');
    assert.equal(formatFloat(Math.fround(1.17549435e-38)), '1.1754944e-38');
    assert.equal(formatFloat(-0), '0');
    assert.equal(formatFloat(NaN), '"NaN"');
    assert.equal(formatFloat(-Infinity), '"-Infinity"');
    assert.equal(formatFloat(Math.fround(-2.5)), '-2.5');
    assert.equal(formatFloat(Math.fround(1 / 3)), '0.33333334');
    // every result reads back to the same float, and no shorter decimal does
    for (let i = 0; i < 2000; i++) {
      const bits = new Uint32Array([(Math.random() * 2 ** 32) >>> 0]);
      const f = new Float32Array(bits.buffer)[0];
      if (!Number.isFinite(f)) continue;
      const d = shortestFloat(f);
      assert.equal(Math.fround(d), f);
      const digits = Number(d).toExponential().replace(/e.*$/, '').replace(/[-.]/g, '').length;
      if (digits > 1) assert.notEqual(Math.fround(Number(f.toPrecision(digits - 1))), f, `${f} has a shorter form`);
    }
  });

  it('BigDecimal.toString', () => {
    assert.equal(bigDecimalToString(1n, -3), '1E+3');
    assert.equal(bigDecimalToString(1n, 5), '0.00001');
    assert.equal(bigDecimalToString(-150n, 2), '-1.50');
    assert.equal(bigDecimalToString(0n, 0), '0');
    assert.equal(bigDecimalToString(0n, 2), '0.00');
    assert.equal(bigDecimalToString(0n, -2), '0E+2');
    assert.equal(bigDecimalToString(123n, 0), '123');
    assert.equal(bigDecimalToString(123n, -1), '1.23E+3');
    assert.equal(bigDecimalToString(1n, 7), '1E-7');
    assert.equal(bigDecimalToString(123n, 10), '1.23E-8');
    assert.equal(bigDecimalToString(-1n, 6), '-0.000001');
    assert.equal(bigDecimalToString(123456789012345678901234567890n, 5), '1234567890123456789012345.67890');
  });

  it('dates and times', () => {
    assert.deepEqual(civilFromDays(0n), { year: 1970n, month: 1, day: 1 });
    assert.deepEqual(civilFromDays(-1n), { year: 1969n, month: 12, day: 31 });
    assert.deepEqual(civilFromDays(19782n), { year: 2024n, month: 2, day: 29 });
    assert.equal(formatLocalDateText(2024, 2, 29), '2024-02-29');
    assert.equal(formatLocalDateText(10000, 1, 1), '+10000-01-01');
    assert.equal(formatLocalDateText(-5, 3, 4), '-0005-03-04');
    assert.equal(formatLocalDateText(-12345, 3, 4), '-12345-03-04');
    assert.equal(formatLocalDateText(33, 3, 4), '0033-03-04');
    assert.equal(formatLocalTimeText(23, 59, 7, 0), '23:59:07.000000000');
    assert.equal(formatLocalTimeText(0, 0, 0, 1), '00:00:00.000000001');
    assert.equal(formatInstantText(0n, 0), '1970-01-01T00:00:00.000000000Z');
    assert.equal(formatInstantText(-1n, 999999999), '1969-12-31T23:59:59.999999999Z');
    assert.equal(formatInstantText(1709251147n, 5), '2024-02-29T23:59:07.000000005Z');
    // Instant.MIN / Instant.MAX
    assert.equal(formatInstantText(-31557014167219200n, 0), '-1000000000-01-01T00:00:00.000000000Z');
    assert.equal(formatInstantText(31556889864403199n, 999999999), '+1000000000-12-31T23:59:59.999999999Z');
    assert.equal(formatInstantText(253402300800n, 0), '+10000-01-01T00:00:00.000000000Z');
    assert.equal(formatInstantText(-62135596800n, 0), '0001-01-01T00:00:00.000000000Z');
    assert.equal(formatInstantText(-62167219200n - 86400n, 0), '-0001-12-31T00:00:00.000000000Z');
    // nanos outside [0, 1e9) carry like Instant.ofEpochSecond
    assert.equal(formatInstantText(0n, -1), '1969-12-31T23:59:59.999999999Z');
    // far past/future beyond Date's range
    for (const days of [-1000000000n, -719468n, -719469n, 2932896n, 1000000000n]) {
      const { year, month, day } = civilFromDays(days);
      // check via the inverse (days from civil)
      const y = month <= 2 ? year - 1n : year;
      const era = (y >= 0n ? y : y - 399n) / 400n;
      const yoe = y - era * 400n;
      const mp = BigInt((month + 9) % 12);
      const doy = (153n * mp + 2n) / 5n + BigInt(day) - 1n;
      const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
      assert.equal(era * 146097n + doe - 719468n, days);
    }
  });
});
