import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh RSA key and self-signed X.509 certificate, made by openssl for this test run only. */
export function selfSignedCertificate(cn: string, opts: { ipSan?: string } = {}): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sso-pki-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '2',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        `/CN=${cn}`,
        ...(opts.ipSan ? ['-addext', `subjectAltName=IP:${opts.ipSan}`] : []),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
