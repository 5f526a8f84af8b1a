/**
 * Only trusted images: mirror naming, the Harbor proxy-cache, signature verification
 * (policy-controller) and the admission policy that refuses untrusted registries.
 */
export * from './harbor-proxy-cache';
export * from './image-mirror';
export * from './image-signature-policy';
export * from './trusted-image-policy';
