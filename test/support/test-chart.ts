import { App, Chart } from 'cdk8s';

/**
 * A chart for construct tests, as cdk8s' `Testing.chart()` gives, in an app that never writes:
 * `Testing.chart()` makes a `cdk8s.outdir.*` folder in the temp dir for every chart and nothing
 * removes it. Tests read objects with `Testing.synth(chart)` (`chart.toJson()`), never `app.synth()`.
 */
export function testChart(): Chart {
  return new Chart(new App({ outdir: 'cdk8s.out' }), 'test');
}
