import * as pulumi from '@pulumi/pulumi';

/** A resource the mocked engine was asked to create. */
export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly provider?: string;
}

/**
 * Mocks the Pulumi engine for one stack and records every resource registered; call it before the
 * program is imported, so no resource reaches a real engine.
 */
export function recordResources(stack: string): Registered[] {
  const registered: Registered[] = [];
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown>, provider: args.provider });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    'hybrid-ml-platform',
    stack,
  );
  return registered;
}

/** Waits until no new resource has been registered for a moment (the program registers asynchronously). */
export async function settled(registered: readonly Registered[]): Promise<void> {
  let last = -1;
  for (let i = 0; i < 100 && last !== registered.length; i++) {
    last = registered.length;
    await new Promise((r) => setTimeout(r, 30));
  }
}
