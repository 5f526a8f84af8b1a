/**
 * Lines removed and added between two multi-line strings (a ConfigMap's embedded YAML, a CEL
 * expression), by longest common subsequence, so a one-line edit in a 200-line value shows as one
 * `-` and one `+` line instead of two walls of text.
 */
export interface LineChange {
  readonly op: '-' | '+';
  readonly line: string;
}

/** Above this many lines on both sides the table would be too large; the caller shows the values. */
const MAX_LINES = 4000;

export function diffLines(before: string, after: string): LineChange[] | undefined {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length > MAX_LINES || b.length > MAX_LINES) return undefined;
  // lcs[i][j] = length of the LCS of a[i..] and b[j..].
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: LineChange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) out.push({ op: '-', line: a[i++] });
    else out.push({ op: '+', line: b[j++] });
  }
  return out;
}
