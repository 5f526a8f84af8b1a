import { checkEnginePins } from './build';

describe('Pulumi engine wrapper modules', () => {
  it('require the versions TEST_TOOLCHAIN pins, and npm @pulumi/kubernetes matches the provider plugin', () => {
    expect(checkEnginePins()).toEqual([]);
  });
});
