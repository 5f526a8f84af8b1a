/**
 * The expected text of an alert annotation: the rule's template expanded with the labels and value
 * the case predicts. Only the constructs the platform's alerts use are understood; anything else
 * throws, so a new construct gets an expectation rather than a silent pass. Pure.
 *
 * Formatting follows Prometheus' template functions (template/template.go): `humanize` scales by
 * SI prefixes and prints `%.4g`, `humanizePercentage` prints `%.4g%%` of value*100, and a bare
 * `$value` prints Go's `%v` of a float64.
 */

/** Go's `%.4g`. */
export function goG4(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) throw new Error(`cannot format ${v}`);
  const rounded = Number(v.toPrecision(4));
  const exp = Math.floor(Math.log10(Math.abs(rounded)));
  if (exp < -4 || exp >= 4) {
    const [mantissa, e] = rounded.toExponential(3).split('e');
    const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(rounded);
}

/** Go's `%v` of a float64, for the values the cases use (plain decimals). */
export function goFloat(v: number): string {
  const a = Math.abs(v);
  if (v !== 0 && (a < 1e-4 || a >= 1e21)) throw new Error(`pick a case value between 1e-4 and 1e21 (Go prints ${v} in exponent form)`);
  if (a >= 1e6 && !Number.isInteger(v)) throw new Error(`pick a smaller case value than ${v}`);
  if (a >= 1e6) throw new Error(`Go prints ${v} as ${v.toExponential()}: pick a value below 1e6`);
  return String(v);
}

/** Prometheus' `humanize`. */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return goG4(v);
  let x = v;
  let prefix = '';
  if (Math.abs(x) >= 1) {
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(x) < 1000) break;
      prefix = p;
      x /= 1000;
    }
  } else {
    for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
      if (Math.abs(x) >= 1) break;
      prefix = p;
      x *= 1000;
    }
  }
  return `${goG4(x)}${prefix}`;
}

export const humanizePercentage = (v: number): string => `${goG4(v * 100)}%`;

/** Expands `{{ $labels.x }}`, `{{ $value }}`, `{{ $value | humanize }}`, `{{ $value | humanizePercentage }}`. */
export function expandTemplate(text: string, labels: Readonly<Record<string, string>>, value: number): string {
  return text.replace(/\{\{(.*?)\}\}/g, (whole, inner: string) => {
    const t = inner.trim();
    const label = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(t);
    if (label !== null) return labels[label[1]] ?? '<no value>';
    if (t === '$value') return goFloat(value);
    if (t === '$value | humanize') return humanize(value);
    if (t === '$value | humanizePercentage') return humanizePercentage(value);
    throw new Error(`template construct ${whole} is not understood by the test's expander: add it to test/upstream/prometheus/templates.ts`);
  });
}
