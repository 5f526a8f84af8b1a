import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkPins } from '../cluster/build';
import { repoRoot } from '../toolchain/go-build';
import { checkToolPins } from './build';

describe('Go wrapper modules of the test binaries', () => {
  it('require the versions TEST_TOOLCHAIN pins (control plane, helm, kustomize, promtool, kueue)', () => {
    expect([...checkPins(), ...checkToolPins()]).toEqual([]);
  });

  it('declare a Go this machine has (no toolchain download)', () => {
    for (const dir of ['helm', 'kustomize', 'promtool', 'kueue']) {
      const file = path.join(repoRoot(), 'test', 'tools', 'go', dir, 'go.mod');
      if (!fs.existsSync(file)) continue;
      const go = /^go (\d+)\.(\d+)/m.exec(fs.readFileSync(file, 'utf8'));
      expect(go).not.toBeNull();
      expect(Number(go?.[1]) * 100 + Number(go?.[2])).toBeLessThanOrEqual(126);
      expect(fs.readFileSync(file, 'utf8')).not.toMatch(/^toolchain /m);
    }
  });
});
