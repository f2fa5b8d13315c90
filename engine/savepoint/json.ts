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

/** The shortest decimal (as a JS number) that Math.fround()s back to the float32 `f`; closest to f on ties of length. */
export function shortestFloat(f: number): number {
  const x = Math.fround(f);
  if (!Number.isFinite(x) || x === 0) return x;
  for (let p = 1; p <= 9; p++) {
    const s = x.toExponential(p - 1); // d.ddde±x, correctly rounded to p digits
    const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
    if (!m) break;
    const sign = m[1];
    const digits = BigInt(m[2] + (m[3] ?? ''));
    const exp = Number(m[4]) - (p - 1);
    let best: number | undefined;
    for (const d of [digits - 1n, digits, digits + 1n]) {
      if (d <= 0n) continue;
      const v = Number(`${sign}${d}e${exp}`);
      if (Math.fround(v) !== x) continue;
      if (best === undefined || Math.abs(v - x) < Math.abs(best - x)) best = v;
    }
    if (best !== undefined) return best;
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
