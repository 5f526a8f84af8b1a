import { parseSpec } from '../../environments';
import { renderEnvironment } from '../../stacks/manifests';
import { generatedEstate, withOneTeamChanged } from './generated-estate';
import { generatedSpec } from './synth-bench';

/** Keeps `npm run bench` honest: its generated specs must stay valid as the schema grows. */
describe('benchmark specs', () => {
  it('a generated spec is valid and renders one namespace per team and stage', () => {
    const spec = parseSpec(generatedSpec(5));
    const namespaces = renderEnvironment(spec)[0].files.flatMap((f) => f.objects).filter((o) => o.kind === 'Namespace' && o.metadata.labels?.['ml.platform/team']);
    expect(namespaces).toHaveLength(5 * 4);
  });
});

describe('benchmark estate (npm run bench:pulumi)', () => {
  it('a 20-team estate on 3 clusters is valid, and the one-team change touches one team only', () => {
    const estate = parseSpec(generatedEstate(20));
    expect([estate.teams.length, estate.clusters.length]).toEqual([20, 3]);
    const changed = parseSpec(withOneTeamChanged(generatedEstate(20)));
    expect(changed.teams.filter((t, i) => JSON.stringify(t) !== JSON.stringify(estate.teams[i])).map((t) => t.name)).toEqual(['team-0']);
  });
});
