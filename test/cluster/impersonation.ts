/**
 * Requests as someone else: the admin client certificate (system:masters, which may impersonate)
 * plus Impersonate-User / Impersonate-Group headers, so the API server authorizes and admits the
 * request as that user, exactly as it would a real one (`kubectl --as/--as-group`). The API server
 * adds system:authenticated to the impersonated groups itself.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import { ControlPlane } from './control-plane';

export interface Identity {
  readonly user: string;
  readonly groups: readonly string[];
}

export interface Answer {
  readonly status: number;
  readonly reason?: string;
  readonly message: string;
}

export class ImpersonatingClient {
  private readonly agent: https.Agent;

  constructor(
    private readonly cp: ControlPlane,
    /** Parallel requests; admission CEL is CPU-bound on 2 cores. */
    readonly concurrency = 8,
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: concurrency, ca: fs.readFileSync(cp.pki.ca.cert), cert: fs.readFileSync(cp.pki.admin.cert), key: fs.readFileSync(cp.pki.admin.key) });
  }

  /** POST (or another verb) as `who`; dry-run unless told otherwise (PATCH: pass the patch content type). */
  send(who: Identity, method: string, apiPath: string, body: unknown, dryRun = true, contentType = 'application/json'): Promise<Answer> {
    const payload = JSON.stringify(body);
    const url = `${this.cp.server}${apiPath}${dryRun ? `${apiPath.includes('?') ? '&' : '?'}dryRun=All` : ''}`;
    const headers: Record<string, string | string[] | number> = {
      accept: 'application/json',
      'content-type': contentType,
      'content-length': Buffer.byteLength(payload),
      'Impersonate-User': who.user,
    };
    if (who.groups.length > 0) headers['Impersonate-Group'] = [...who.groups];
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, agent: this.agent, timeout: 30000, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve({ status, message: 'ok' });
          try {
            const b = JSON.parse(text) as { reason?: string; message?: string };
            resolve({ status, reason: b.reason, message: b.message ?? text });
          } catch {
            resolve({ status, message: text });
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${apiPath}: timeout`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
