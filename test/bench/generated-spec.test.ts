import { parseSpec } from '../../environments';
import { renderEnvironment } from '../../stacks/manifests';
import { generatedSpec } from './synth-bench';

/** Keeps `npm run bench` honest: its generated specs must stay valid as the schema grows. */
describe('benchmark specs', () => {
  it('a generated spec is valid and renders one namespace per team and stage', () => {
    const spec = parseSpec(generatedSpec(5));
    const namespaces = renderEnvironment(spec)[0].files.flatMap((f) => f.objects).filter((o) => o.kind === 'Namespace' && o.metadata.labels?.['ml.platform/team']);
    expect(namespaces).toHaveLength(5 * 4);
  });
});
