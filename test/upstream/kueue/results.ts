/** Scenario outcomes, expected vs observed, printed as one table at the end of a suite. */

export interface ScenarioResult {
  readonly env: string;
  readonly scenario: string;
  readonly expected: string;
  readonly observed: string;
  readonly ok: boolean;
  /** Seconds from submission to admission, where the scenario measures it. */
  readonly admissionSeconds?: number;
}

export class ScenarioTable {
  private readonly rows: ScenarioResult[] = [];

  /** Records a row and returns whether observed equals expected (the caller asserts). */
  record(env: string, scenario: string, expected: unknown, observed: unknown, admissionSeconds?: number): boolean {
    const e = typeof expected === 'string' ? expected : JSON.stringify(expected);
    const o = typeof observed === 'string' ? observed : JSON.stringify(observed);
    this.rows.push({ env, scenario, expected: e, observed: o, ok: e === o, ...(admissionSeconds === undefined ? {} : { admissionSeconds }) });
    return e === o;
  }

  get results(): readonly ScenarioResult[] {
    return this.rows;
  }

  markdown(): string {
    const esc = (s: string): string => s.replace(/\|/g, '\\|');
    const lines = ['| env | scenario | expected | observed | admitted after | result |', '|---|---|---|---|---|---|'];
    for (const r of this.rows) lines.push(`| ${r.env} | ${esc(r.scenario)} | ${esc(r.expected)} | ${esc(r.observed)} | ${r.admissionSeconds === undefined ? '' : `${r.admissionSeconds.toFixed(1)} s`} | ${r.ok ? 'pass' : 'FAIL'} |`);
    return lines.join('\n');
  }
}

/**
 * A table for the file, printed (with the file's wall time) by a top-level afterAll; call once at
 * the top of the file.
 */
export function useScenarioTable(title: string): ScenarioTable {
  const table = new ScenarioTable();
  const started = Date.now();
  afterAll(() => {
    if (table.results.length === 0) return;
    const passed = table.results.filter((r) => r.ok).length;
    process.stdout.write(`\n${title}, scenario by scenario (${passed}/${table.results.length} as expected, file ${Math.round((Date.now() - started) / 1000)} s):\n${table.markdown()}\n`);
  });
  return table;
}
