/**
 * Text formatting shared by the dump (docs/dump-format.md §3): JSON strings, numbers, BigDecimal and
 * java.time values. Everything returns JSON text (quoted where the contract says a string).
 */

/** Exactly JSON.stringify for a string (lone surrogates as lowercase \udxxx). */
export function jsonString(s: string): string {
  return JSON.stringify(s);
}

/** A double as JSON text: shortest round-trip decimal laid out like Number#toString; non-finite as strings. */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return '"NaN"';
  if (d === Infinity) return '"Infinity"';
  if (d === -Infinity) return '"-Infinity"';
  return String(d); // String(-0) === "0"
}

/** The exact decimal value of a finite float32 as digits × 10^exp (digits ≥ 0). */
function exactFloatDecimal(f: number): [bigint, number] {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, Math.abs(f));
  const bits = dv.getUint32(0);
  const ex = (bits >>> 23) & 0xff;
  const frac = bits & 0x7fffff;
  const m = BigInt(ex === 0 ? frac : frac | 0x800000);
  const e = (ex === 0 ? 1 : ex) - 150;
  return e >= 0 ? [m << BigInt(e), 0] : [m * 5n ** BigInt(-e), e];
}

/** Rounds digits × 10^exp to p significant digits, half to even. */
function roundHalfEven(d: bigint, exp: number, p: number): [bigint, number] {
  const drop = d.toString().length - p;
  if (drop <= 0) return [d, exp];
  const div = 10n ** BigInt(drop);
  let q = d / div;
  const r = d % div;
  const twice = 2n * r;
  if (twice > div || (twice === div && (q & 1n) === 1n)) q += 1n;
  return [q, exp + drop];
}

/** a×10^ea − b×10^eb as an exact scaled BigInt (same scale for every call with the same min exponent). */
function diffScaled(a: bigint, ea: number, b: bigint, eb: number, scale: number): bigint {
  return a * 10n ** BigInt(ea - scale) - b * 10n ** BigInt(eb - scale);
}

/** True when the decimal d × 10^e, rounded to float32 (round half to even), is the float x > 0. */
function readsBackAsFloat(d: bigint, e: number, x: number): boolean {
  const v = Number(`${d}e${e}`); // correctly rounded to double
  if (Math.fround(v) !== x) {
    // double rounding can only go wrong when v landed exactly on a float midpoint
    return midpointCase(d, e, x, v);
  }
  if (v === x) return true;
  // v is strictly between floats; fround(v) === x. Unsafe only if v is exactly a midpoint.
  return isFloatMidpoint(v) ? midpointCase(d, e, x, v) : true;
}

function isFloatMidpoint(v: number): boolean {
  const lo = Math.fround(v);
  if (lo === v) return false;
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, lo);
  const bits = dv.getUint32(0);
  dv.setUint32(0, lo < v ? bits + 1 : bits - 1);
  const other = dv.getFloat32(0);
  return v - lo === other - v || (lo + other) / 2 === v;
}

/** Decides exactly on which side of the midpoint v (a double) the decimal d×10^e lies. */
function midpointCase(d: bigint, e: number, x: number, v: number): boolean {
  if (!isFloatMidpoint(v)) return false;
  const [mv, me] = exactDoubleDecimal(v);
  const scale = Math.min(e, me);
  const c = diffScaled(d, e, mv, me, scale); // decimal − midpoint
  const lo = Math.fround(v) < v ? Math.fround(v) : nextFloatDown(Math.fround(v));
  const hi = lo === Math.fround(v) ? nextFloatUp(lo) : Math.fround(v);
  if (c < 0n) return lo === x;
  if (c > 0n) return hi === x;
  return evenFloat(lo) ? lo === x : hi === x;
}

function nextFloatUp(f: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, f);
  dv.setUint32(0, dv.getUint32(0) + 1);
  return dv.getFloat32(0);
}
function nextFloatDown(f: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, f);
  dv.setUint32(0, dv.getUint32(0) - 1);
  return dv.getFloat32(0);
}
function evenFloat(f: number): boolean {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, f);
  return (dv.getUint32(0) & 1) === 0;
}

function exactDoubleDecimal(v: number): [bigint, number] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, Math.abs(v));
  const bits = dv.getBigUint64(0);
  const ex = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const m = ex === 0 ? frac : frac | (1n << 52n);
  const e = (ex === 0 ? 1 : ex) - 1075;
  return e >= 0 ? [m << BigInt(e), 0] : [m * 5n ** BigInt(-e), e];
}

/**
 * The shortest decimal (as a JS number) that reads back to the float32 `f`; among the shortest, the
 * closest to f, ties to the even digit string (the rule of Number#toString, applied to float32).
 */
export function shortestFloat(f: number): number {
  const x = Math.fround(f);
  if (!Number.isFinite(x) || x === 0) return x;
  const ax = Math.abs(x);
  const [D, ex] = exactFloatDecimal(ax);
  for (let p = 1; p <= 9; p++) {
    const [q, e2] = roundHalfEven(D, ex, p);
    let best: bigint | undefined;
    let bestDist = 0n;
    for (const c of [q - 1n, q, q + 1n]) {
      if (c <= 0n || c.toString().length > p + (c === q + 1n ? 1 : 0)) continue;
      if (!readsBackAsFloat(c, e2, ax)) continue;
      let dist = diffScaled(c, e2, D, ex, Math.min(e2, ex));
      if (dist < 0n) dist = -dist;
      if (best === undefined || dist < bestDist || (dist === bestDist && (c & 1n) === 0n)) {
        best = c;
        bestDist = dist;
      }
    }
    if (best !== undefined) {
      const v = Number(`${best}e${e2}`);
      return x < 0 ? -v : v;
    }
  }
  return x;
}

/** A float32 as JSON text: the shortest decimal that reads back to the same float, laid out like Number#toString. */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return '"NaN"';
  if (f === Infinity) return '"Infinity"';
  if (f === -Infinity) return '"-Infinity"';
  return String(shortestFloat(f));
}

/** Java's BigDecimal.toString() for unscaledValue × 10^-scale. */
export function bigDecimalToString(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const coeff = (neg ? -unscaled : unscaled).toString();
  const sign = neg ? '-' : '';
  const adjusted = -scale + (coeff.length - 1);
  if (scale === 0) return sign + coeff;
  if (scale > 0 && adjusted >= -6) {
    const point = coeff.length - scale;
    if (point > 0) return `${sign}${coeff.slice(0, point)}.${coeff.slice(point)}`;
    return `${sign}0.${'0'.repeat(-point)}${coeff}`;
  }
  let s = sign + coeff[0];
  if (coeff.length > 1) s += '.' + coeff.slice(1);
  if (adjusted !== 0) s += 'E' + (adjusted > 0 ? '+' : '') + String(adjusted);
  return s;
}

function pad(n: number | bigint, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** Year as java.time prints it: at least four digits, '-' for negative years, '+' above 9999. */
export function formatYear(year: number | bigint): string {
  const y = BigInt(year);
  if (y < 0n) return '-' + pad(-y, 4);
  if (y > 9999n) return '+' + y.toString();
  return pad(y, 4);
}

/** "YYYY-MM-DD" (no quotes). */
export function formatLocalDateText(year: number | bigint, month: number, day: number): string {
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** "HH:MM:SS.nnnnnnnnn" (no quotes). */
export function formatLocalTimeText(hour: number, minute: number, second: number, nano: number): string {
  return `${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(nano, 9)}`;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** Proleptic Gregorian civil date from days since 1970-01-01 (H. Hinnant's algorithm, in BigInt). */
export function civilFromDays(days: bigint): { year: bigint; month: number; day: number } {
  const z = days + 719468n;
  const era = floorDiv(z, 146097n);
  const doe = z - era * 146097n; // [0, 146096]
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n; // [0, 399]
  let y = yoe + era * 400n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n); // [0, 365]
  const mp = (5n * doy + 2n) / 153n; // [0, 11]
  const d = doy - (153n * mp + 2n) / 5n + 1n; // [1, 31]
  const m = mp < 10n ? mp + 3n : mp - 9n; // [1, 12]
  if (m <= 2n) y += 1n;
  return { year: y, month: Number(m), day: Number(d) };
}

/** Instant as "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (no quotes); nanos outside [0, 1e9) are carried like Instant.ofEpochSecond. */
export function formatInstantText(epochSeconds: bigint, nanos: number): string {
  let secs = epochSeconds + floorDiv(BigInt(nanos), 1_000_000_000n);
  const n = Number(BigInt(nanos) - floorDiv(BigInt(nanos), 1_000_000_000n) * 1_000_000_000n);
  const days = floorDiv(secs, 86400n);
  const sod = Number(secs - days * 86400n);
  secs = days;
  const { year, month, day } = civilFromDays(days);
  const h = Math.floor(sod / 3600);
  const mi = Math.floor((sod % 3600) / 60);
  const s = sod % 60;
  return `${formatLocalDateText(year, month, day)}T${formatLocalTimeText(h, mi, s, n)}Z`;
}
