/**
 * The serving certificate of a Kueue process on loopback.
 *
 * Kueue's internal certificate management (on in the chart) keeps its CA and serving certificate in
 * the `kueue-webhook-server-cert` Secret, reuses them when they are valid (the CA for the name
 * `kueue-ca`, the serving certificate for `<webhook service>.<namespace>.svc`) and injects the CA
 * into the webhook configurations and the CRDs' conversion webhooks itself. In a pod the kubelet
 * mounts that Secret at the webhook certificate directory. On loopback the harness does both: it
 * issues a CA named `kueue-ca` and a serving certificate that also names 127.0.0.1 (the address the
 * API server calls), seeds the Secret with them and writes the pair into the certificate directory.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface WebhookCerts {
  /** Directory holding tls.crt and tls.key (the process's webhook.certDir). */
  readonly certDir: string;
  /** PEM contents, for the Secret. */
  readonly caCert: string;
  readonly caKey: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
}

/** Kueue's CA common name, which its rotator verifies the CA against (pkg/util/cert). */
const KUEUE_CA_NAME = 'kueue-ca';

const serial = (): string => {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return `0x${bytes.toString('hex')}`;
};

/** RSA keys in PKCS#1, the form the rotator writes and re-reads when it signs. */
function rsaKey(file: string): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  fs.writeFileSync(file, privateKey, { mode: 0o600 });
  return privateKey;
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await execFileAsync('openssl', [...args]);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

/** CA + serving certificate for `dnsName` and 127.0.0.1, valid for a year (the rotator wants more than 90 days left). */
export async function issueWebhookCerts(dir: string, dnsName: string): Promise<WebhookCerts> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = (name: string): string => path.join(dir, name);
  const config = p('openssl.cnf');
  fs.writeFileSync(
    config,
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
      `subjectAltName = DNS:${KUEUE_CA_NAME}`,
      '[server]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = DNS:${dnsName},IP:127.0.0.1`,
      '',
    ].join('\n'),
  );
  const caKey = rsaKey(p('ca.key'));
  await openssl(['req', '-x509', '-new', '-config', config, '-extensions', 'ca', '-key', p('ca.key'), '-subj', `/O=kueue/CN=${KUEUE_CA_NAME}`, '-days', '3650', '-sha256', '-set_serial', serial(), '-out', p('ca.crt')]);
  const tlsKey = rsaKey(p('tls.key'));
  await openssl(['req', '-new', '-config', config, '-key', p('tls.key'), '-subj', `/CN=${dnsName}`, '-out', p('tls.csr')]);
  await openssl(['x509', '-req', '-in', p('tls.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-set_serial', serial(), '-days', '365', '-sha256', '-extfile', config, '-extensions', 'server', '-out', p('tls.crt')]);
  fs.rmSync(p('tls.csr'));
  return { certDir: dir, caCert: fs.readFileSync(p('ca.crt'), 'utf8'), caKey, tlsCert: fs.readFileSync(p('tls.crt'), 'utf8'), tlsKey };
}
