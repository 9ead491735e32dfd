import { createDecipheriv } from 'node:crypto';

/** The only algorithm WeChat Pay uses for callback resources and certificates. */
export const AEAD_AES_256_GCM = 'AEAD_AES_256_GCM';

const TAG_BYTES = 16;

export class AeadError extends Error {
  override name = 'AeadError';
}

/** An encrypted `resource` (callbacks) or `encrypt_certificate` (/v3/certificates). */
export type EncryptedResource = Readonly<{ algorithm: string; ciphertext: string; nonce: string; associated_data?: string | undefined }>;

/**
 * Decrypts AEAD_AES_256_GCM with the APIv3 key: `ciphertext` is
 * base64(encrypted bytes || 16-byte tag), `nonce` and `associated_data` are
 * used as their UTF-8 bytes. Throws AeadError when anything does not
 * authenticate — a changed byte of ciphertext, tag, nonce or associated data.
 */
export function decryptResource(apiV3Key: string | Buffer, resource: EncryptedResource): Buffer {
  const key = typeof apiV3Key === 'string' ? Buffer.from(apiV3Key, 'utf8') : apiV3Key;
  if (key.length !== 32) throw new AeadError('the APIv3 key must be 32 bytes');
  if (resource.algorithm !== AEAD_AES_256_GCM) throw new AeadError(`unsupported algorithm ${String(resource.algorithm)}`);
  if (typeof resource.ciphertext !== 'string' || typeof resource.nonce !== 'string')
    throw new AeadError('ciphertext and nonce are required');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(resource.ciphertext)) throw new AeadError('ciphertext is not base64');
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length < TAG_BYTES) throw new AeadError('ciphertext is shorter than its tag');
  const nonce = Buffer.from(resource.nonce, 'utf8');
  if (nonce.length === 0) throw new AeadError('empty nonce');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new AeadError('the ciphertext does not authenticate with this key, nonce and associated data');
  }
}
