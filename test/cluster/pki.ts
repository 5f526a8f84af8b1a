/**
 * Certificates and keys for the test control plane.
 *
 * Keys come from node:crypto (fast, no subprocess); node:crypto cannot issue X.509
 * certificates, so those are signed with the `openssl` CLI using a minimal config
 * written next to them (independent of the system's openssl.cnf defaults, which
 * would otherwise add CA:TRUE to every `req -x509` certificate).
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

export interface Pki {
  readonly dir: string;
  readonly ca: CertPair;
  /** kube-apiserver serving certificate. */
  readonly apiserver: CertPair;
  /** Client certificates, one per identity that RBAC knows about. */
  readonly admin: CertPair;
  readonly controllerManager: CertPair;
  readonly scheduler: CertPair;
  /** Service-account token signing key pair (RSA, PKCS#1 private / SPKI public). */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

export interface PkiOptions {
  /** Extra subjectAltNames for the apiserver certificate, e.g. the first service IP. */
  readonly extraIps?: readonly string[];
  readonly validDays?: number;
}

const OPENSSL_CONFIG = (ips: readonly string[], dns: readonly string[]): string =>
  [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    '[dn]',
    'CN = unused',
    '[ca]',
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign',
    'subjectKeyIdentifier = hash',
    '[server]',
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage = serverAuth',
    'subjectAltName = @sans',
    '[client]',
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage = clientAuth',
    '[sans]',
    ...ips.map((ip, i) => `IP.${i + 1} = ${ip}`),
    ...dns.map((name, i) => `DNS.${i + 1} = ${name}`),
    '',
  ].join('\n');

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await execFileAsync('openssl', [...args]);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error('openssl is required to create the test cluster certificates (apt-get install openssl)');
    }
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

function writeEcKey(file: string): void {
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  fs.writeFileSync(file, privateKey, { mode: 0o600 });
}

/** Positive random serial (Go rejects negative ones). */
const serial = (): string => {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return `0x${bytes.toString('hex')}`;
};

/** Generate everything the control plane needs under `<dir>/pki`. */
export async function generatePki(dir: string, opts: PkiOptions = {}): Promise<Pki> {
  const pkiDir = path.join(dir, 'pki');
  fs.mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  const p = (name: string): string => path.join(pkiDir, name);
  const days = String(opts.validDays ?? 365);
  const ips = ['127.0.0.1', ...(opts.extraIps ?? [])];
  const dns = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
  const config = p('openssl.cnf');
  fs.writeFileSync(config, OPENSSL_CONFIG(ips, dns));

  const ca: CertPair = { cert: p('ca.crt'), key: p('ca.key') };
  writeEcKey(ca.key);
  await openssl(['req', '-x509', '-new', '-config', config, '-extensions', 'ca', '-key', ca.key, '-subj', '/CN=hybrid-ml-platform-test-ca', '-days', days, '-sha256', '-set_serial', serial(), '-out', ca.cert]);

  const issue = async (name: string, subject: string, profile: 'server' | 'client'): Promise<CertPair> => {
    const pair: CertPair = { cert: p(`${name}.crt`), key: p(`${name}.key`) };
    const csr = p(`${name}.csr`);
    writeEcKey(pair.key);
    await openssl(['req', '-new', '-config', config, '-key', pair.key, '-subj', subject, '-out', csr]);
    await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', serial(), '-days', days, '-sha256', '-extfile', config, '-extensions', profile, '-out', pair.cert]);
    fs.rmSync(csr);
    return pair;
  };

  // Independent certificates: sign them concurrently.
  const [apiserver, admin, controllerManager, scheduler] = await Promise.all([
    issue('apiserver', '/CN=kube-apiserver', 'server'),
    // system:masters bypasses RBAC: the test's own identity, like kubeadm's admin.conf.
    issue('admin', '/O=system:masters/CN=kubernetes-admin', 'client'),
    // These user names are bound by the apiserver's bootstrap RBAC policy.
    issue('controller-manager', '/CN=system:kube-controller-manager', 'client'),
    issue('scheduler', '/CN=system:kube-scheduler', 'client'),
  ]);

  const sa = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  fs.writeFileSync(p('sa.key'), sa.privateKey, { mode: 0o600 });
  fs.writeFileSync(p('sa.pub'), sa.publicKey);

  return { dir: pkiDir, ca, apiserver, admin, controllerManager, scheduler, serviceAccountKey: p('sa.key'), serviceAccountPub: p('sa.pub') };
}

/** Write a kubeconfig with embedded certificate data (self-contained, survives moves). */
export function writeKubeconfig(file: string, server: string, caCert: string, client: CertPair, user: string): void {
  const b64 = (f: string): string => fs.readFileSync(f).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'hybrid-ml-test', cluster: { server, 'certificate-authority-data': b64(caCert) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(client.cert), 'client-key-data': b64(client.key) } }],
    contexts: [{ name: 'hybrid-ml-test', context: { cluster: 'hybrid-ml-test', user } }],
    'current-context': 'hybrid-ml-test',
    preferences: {},
  };
  // JSON is valid YAML, and every Kubernetes client reads kubeconfigs as YAML.
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
