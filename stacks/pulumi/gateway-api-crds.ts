import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { LLM_SERVING } from '../../constructs/catalog';
import { apiGroupOf, ManifestObject } from '../manifests';

/** Pulumi type token of the component. */
export const GATEWAY_API_CRDS_TYPE = 'hybrid-ml-platform:stacks:GatewayApiCrds';

/** Whether an object is of a Gateway API kind (Gateway, HTTPRoute, ...): it waits for GatewayApiCrds. */
export function ofGatewayApi(obj: ManifestObject): boolean {
  return (LLM_SERVING.crdGroups as readonly string[]).includes(apiGroupOf(obj.apiVersion));
}

/**
 * Where the program reads the Gateway API CRDs (stack setting `gatewayApiCrds`): a path or URL of
 * a manifest holding them. @default the pinned release's standard-install.yaml
 */
export function gatewayApiCrdsSource(setting: string | undefined): string {
  if (setting === undefined || setting === '') return LLM_SERVING.gatewayApi.installManifest;
  if (/^https?:\/\//.test(setting) || setting.startsWith('/')) return setting;
  throw new Error(`stack setting gatewayApiCrds: "${setting}" is neither an absolute path nor an http(s) URL; give the absolute path of a manifest with the Gateway API ${LLM_SERVING.gatewayApi.tag} CRDs, or leave it empty for the release's standard-install.yaml`);
}

/**
 * The Gateway API standard-channel CRDs, applied by the program as the Flux delivery's
 * GitRepository + Kustomization applies them (no pinned chart ships them), so a Pulumi user gets
 * the same cluster without installing them by hand.
 */
export class GatewayApiCrds extends pulumi.ComponentResource {
  constructor(name: string, args: { source: string; provider: k8s.Provider }, opts?: pulumi.ComponentResourceOptions) {
    super(GATEWAY_API_CRDS_TYPE, name, {}, opts);
    new k8s.yaml.v2.ConfigFile(`${name}-manifest`, { file: args.source }, { parent: this, provider: args.provider });
    this.registerOutputs({ source: args.source });
  }
}
