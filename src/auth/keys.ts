import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export type SigningKey = Readonly<{ kid: string; privatePem: string; publicPem: string; publicJwk: Record<string, string> }>;

/** RFC 7638 thumbprint of the public JWK, so the kid changes exactly when the key does. */
function thumbprint(jwk: { crv?: string; kty?: string; x?: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(canonical).digest('base64url');
}

function fromPrivate(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('JWT_PRIVATE_KEY must be an Ed25519 private key (PEM, PKCS#8)');
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' }) as { crv: string; kty: string; x: string };
  const kid = thumbprint(jwk);
  return {
    kid,
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    publicJwk: { ...jwk, kid, alg: 'EdDSA', use: 'sig' },
  };
}

/**
 * The token signing key: JWT_PRIVATE_KEY when configured; otherwise one made on
 * first start and kept in the data folder, so restarts keep sessions valid.
 */
export async function loadSigningKey(configured: string | undefined, dataDir: string): Promise<SigningKey> {
  if (configured) return fromPrivate(createPrivateKey(configured.replaceAll('\\n', '\n')));
  const file = path.join(dataDir, 'keys', 'jwt-ed25519.pem');
  if (existsSync(file)) return fromPrivate(createPrivateKey(await readFile(file, 'utf8')));
  const { privateKey } = generateKeyPairSync('ed25519');
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' }).catch(
    async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err; // another process made it first: use theirs
    },
  );
  return fromPrivate(createPrivateKey(await readFile(file, 'utf8')));
}
