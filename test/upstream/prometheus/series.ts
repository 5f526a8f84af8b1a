/**
 * Series histories in promtool's expanding notation, built from phases of whole minutes (the unit
 * tests sample every minute: the k-th value is at minute k). Pure.
 *
 *   gauge([30, 5], [10, 0])          -> 5 for minutes 0..29, then 0 for minutes 30..39
 *   counter(1000, [60, 2], [30, 0])  -> starts at 1000, +2 per minute for 60 minutes, then flat
 *
 * A phase value of `null` leaves the series absent; `gone()` ends it with a staleness marker, as
 * Prometheus writes when a target stops exposing the series.
 */

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export type GaugePhase = readonly [minutes: number, value: number | null];

/** A float as promtool parses it back to the same double. */
export function lit(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`series value must be finite (got ${n})`);
  return String(n);
}

const check = (minutes: number) => {
  if (!Number.isInteger(minutes) || minutes < 1) throw new Error(`a phase lasts a whole number of minutes >= 1 (got ${minutes})`);
};

const repeat = (v: string, minutes: number): string => (minutes === 1 ? v : `${v}x${minutes - 1}`);

/** A gauge that holds each phase's value for the phase's minutes. */
export function gauge(...phases: readonly GaugePhase[]): string {
  return phases
    .map(([minutes, value]) => {
      check(minutes);
      // `axn` is n+1 samples, but `_xn` is n missing ones.
      return value === null ? `_x${minutes}` : repeat(lit(value), minutes);
    })
    .join(' ');
}

/** The series then disappears: one staleness marker. Append to gauge()/counter() output. */
export const gone = (values: string): string => `${values} stale`;

/**
 * A counter: value `start` at minute 0, then each phase adds `perMinute` every minute for its
 * minutes. Integer-valued inputs keep every sample exact.
 */
export function counter(start: number, ...phases: readonly (readonly [minutes: number, perMinute: number])[]): string {
  const parts = [lit(start)];
  let v = start;
  for (const [minutes, perMinute] of phases) {
    check(minutes);
    if (perMinute < 0) throw new Error('a counter only goes up');
    parts.push(minutes === 1 ? lit(v + perMinute) : `${lit(v + perMinute)}+${lit(perMinute)}x${minutes - 1}`);
    v += perMinute * minutes;
  }
  return parts.join(' ');
}

/** Minutes covered by a gauge()/counter() value string (what the last sample's minute + 1 is). */
export function sampleCount(values: string): number {
  return values
    .split(' ')
    .filter((p) => p !== '')
    .reduce((n, p) => {
      const m = /x(\d+)$/.exec(p);
      return n + (m === null ? 1 : Number(m[1]) + (p.startsWith('_') ? 0 : 1));
    }, 0);
}

/** One sample per step: a number, missing (null), or a staleness marker. */
export type Value = number | null | 'stale';

/** Run-length and arithmetic-run encoding of per-minute values into promtool's expanding notation. */
export function encodeValues(values: readonly Value[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    const v = values[i];
    if (v === 'stale') {
      parts.push('stale');
      i++;
      continue;
    }
    let j = i + 1;
    if (v === null) {
      while (j < values.length && values[j] === null) j++;
      // `_xn` is n missing samples (unlike `axn`, which is n+1 samples).
      parts.push(`_x${j - i}`);
    } else {
      const next = values[i + 1];
      const step = typeof next === 'number' ? next - v : 0;
      while (j < values.length && typeof values[j] === 'number' && (values[j] as number) - (values[j - 1] as number) === step) j++;
      parts.push(j - i === 1 ? lit(v) : step === 0 ? `${lit(v)}x${j - i - 1}` : `${lit(v)}+${lit(step)}x${j - i - 1}`);
    }
    i = j;
  }
  return parts.join(' ');
}

/** `name{a="b", ...}` with label values escaped. */
export function seriesName(name: string, labels: Readonly<Record<string, string>>): string {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(', ');
  return `${name}{${body}}`;
}

export const series = (name: string, labels: Readonly<Record<string, string>>, values: string): InputSeries => ({ series: seriesName(name, labels), values });

/** `12m`, `3h`, `1d4h` style durations promtool reads as eval_time. */
export function minutesToDuration(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 0) throw new Error(`eval time must be whole minutes (got ${minutes})`);
  return `${minutes}m`;
}

/** A Prometheus duration (`30m`, `1h`, `2d`, `0m`) in minutes. */
export function durationMinutes(d: string): number {
  const units: Record<string, number> = { s: 1 / 60, m: 1, h: 60, d: 1440, w: 10080 };
  let total = 0;
  const re = /(\d+)([smhdw])/g;
  let consumed = 0;
  for (let m = re.exec(d); m !== null; m = re.exec(d)) {
    total += Number(m[1]) * units[m[2]];
    consumed += m[0].length;
  }
  if (consumed !== d.length || d.length === 0) throw new Error(`not a Prometheus duration: "${d}"`);
  return total;
}
