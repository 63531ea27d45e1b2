import 'reflect-metadata'; // @peculiar/x509's container (tsyringe) needs it, whichever suite loads this first
import { webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

/**
 * A private PKI for the BYOC plane link, made in the test with @peculiar/x509 (ECDSA P-256): a CA, the control
 * plane's server certificate (127.0.0.1 / localhost), and data-plane client certificates naming their tenant in a
 * `urn:portal:tenant:<slug>` URI SAN, with any validity window (expired, not yet valid) or issuer (a rogue CA).
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Issued {
  certPem: string;
  keyPem: string;
}
export interface TestCa extends Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

const keyPem = async (k: CryptoKey) => {
  const der = await webcrypto.subtle.exportKey('pkcs8', k);
  return `-----BEGIN PRIVATE KEY-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trim()}\n-----END PRIVATE KEY-----\n`;
};

let serial = 1;
const nextSerial = () => (serial++).toString(16).padStart(2, '0') + Date.now().toString(16);

export async function makeCa(name: string): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { cert, keys, certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

export async function issue(
  ca: TestCa,
  opts: { cn: string; tenant?: string; server?: boolean; notBefore?: Date; notAfter?: Date; uris?: string[] },
): Promise<Issued> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const san: x509.JsonGeneralName[] = opts.server
    ? [
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]
    : [...(opts.tenant ? [`urn:portal:tenant:${opts.tenant}`] : []), ...(opts.uris ?? [])].map((u) => ({ type: 'url' as const, value: u }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: `CN=${opts.cn}`,
    issuer: ca.cert.subject,
    notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
    notAfter: opts.notAfter ?? new Date(Date.now() + 90 * DAY),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([opts.server ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      ...(san.length ? [new x509.SubjectAlternativeNameExtension(san)] : []),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

/** Writes PEMs to a temp folder and returns their paths (the planes read files, as in Kubernetes). */
export function writePems(files: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'plane-pki-'));
  return Object.fromEntries(
    Object.entries(files).map(([name, pem]) => {
      const p = join(dir, name);
      writeFileSync(p, pem, { mode: 0o600 });
      return [name, p];
    }),
  );
}
