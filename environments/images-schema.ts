import { z } from 'zod';

/** Registry prefix host[:port][/path], no scheme and no trailing slash. */
export const REGISTRY_PREFIX = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9._-]+)*$/;
const registryPrefix = z.string().regex(REGISTRY_PREFIX, { message: 'must be host[:port][/path] without a scheme or trailing slash, e.g. "harbor.example.com/ml"' });

/** A Helm repository URL (http(s)://host/path) or an OCI registry prefix (oci://host/path), no trailing slash. */
export const CHART_REPOSITORY = /^(https?|oci):\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(\/[A-Za-z0-9._~-]+)*$/;

/** A signer the policy controller accepts for images of one registry prefix. */
export const signerSchema = z.strictObject({
  /** Images under this prefix must carry a valid signature. */
  registry: registryPrefix,
  /** Public key kept in a Secret of the policy controller's namespace (key `cosign.pub`). */
  publicKeySecret: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be the name of a Secret (DNS-1123 label)' }).optional(),
  /** Keyless (Fulcio) signing: the OIDC issuer and a regular expression over the certificate subject. */
  keyless: z.strictObject({ issuer: z.url({ message: 'must be the OIDC issuer URL, e.g. "https://token.actions.githubusercontent.com"' }), subjectRegExp: z.string().min(1) }).optional(),
});

/** What images workloads may run, and where the platform's own images come from. */
export const imagesSchema = z.strictObject({
  /** Registries (besides each cluster's own) that workload images may come from. */
  extraTrustedRegistries: z.array(registryPrefix).default([]),
  /** Refuse workload images that are not pinned by digest (@sha256:...). */
  requireDigest: z.boolean().default(false),
  /** Rewrite every image of the platform and of the add-ons to the cluster registry (air-gapped installs). */
  mirror: z.boolean().default(false),
  /**
   * One Helm repository (https://...) or OCI prefix (oci://...) that holds every pinned chart under
   * its upstream name (`npm run charts -- <env>` lists them); Flux and Pulumi then pull every chart
   * from it instead of the upstream repositories. @default the upstream repositories
   */
  chartMirror: z
    .string()
    .regex(CHART_REPOSITORY, { message: 'must be a Helm repository URL (https://host/path) or an OCI prefix (oci://host/path) without a trailing slash, e.g. "oci://harbor.example.com/charts"' })
    .optional(),
  /** Registries whose images must be signed, opted in per namespace by label. */
  signed: z.array(signerSchema).default([]),
  /** Hours after which Trivy's reports expire, so running images are re-scanned against new advisories. */
  rescanIntervalHours: z.int().min(1).max(168).default(24),
});

export type ImagesSpec = z.output<typeof imagesSchema>;
