import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const WECHATPAY_BASE_URL = 'https://api.mch.weixin.qq.com';

/**
 * What the WeChat Pay provider needs, already read: the merchant's identity and
 * key, the APIv3 key, and how WeChat Pay's own signatures are checked — with
 * platform certificates downloaded from /v3/certificates (older merchants), or
 * with the WeChat Pay public key shown in the merchant platform (newer ones).
 */
export const WeChatPayConfigSchema = Type.Object(
  {
    /** 商户号 */
    mchId: Type.String({ pattern: '^[0-9]{6,32}$' }),
    /** The AppID bound to the merchant (公众号 / 小程序 / 移动应用). */
    appId: Type.String({ pattern: '^wx[0-9a-zA-Z]{8,30}$' }),
    /** The merchant API private key (apiclient_key.pem), PKCS#8 or PKCS#1 PEM. */
    privateKey: Type.String({ pattern: '-----BEGIN (RSA )?PRIVATE KEY-----' }),
    /** The serial number of the merchant API certificate (商户API证书序列号), hex. */
    certSerial: Type.String({ pattern: '^[0-9A-Fa-f]{8,64}$' }),
    /** The APIv3 key: exactly 32 ASCII characters. */
    apiV3Key: Type.String({ pattern: '^[\\x21-\\x7e]{32}$' }),
    baseUrl: Type.String({ pattern: '^https?://[^/?#]+$', default: WECHATPAY_BASE_URL }),
    verification: Type.Union([
      Type.Object({ mode: Type.Literal('platform-certificates') }, { additionalProperties: false }),
      Type.Object(
        {
          mode: Type.Literal('public-key'),
          /** 微信支付公钥, SPKI PEM. */
          publicKey: Type.String({ pattern: '-----BEGIN PUBLIC KEY-----' }),
          /** 微信支付公钥ID, sent back in Wechatpay-Serial. */
          publicKeyId: Type.String({ pattern: '^PUB_KEY_ID_[0-9A-Za-z_]+$' }),
        },
        { additionalProperties: false },
      ),
    ]),
  },
  { additionalProperties: false },
);

export type WeChatPayConfig = Readonly<Static<typeof WeChatPayConfigSchema>>;

export class WeChatPayConfigError extends Error {
  override name = 'WeChatPayConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid WeChat Pay configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** Validates settings given as an object; keys are parsed so a bad PEM fails here, not at the first payment. */
export function parseWeChatPayConfig(input: unknown): WeChatPayConfig {
  const withDefaults = Value.Default(WeChatPayConfigSchema, structuredClone(input));
  const problems = [...Value.Errors(WeChatPayConfigSchema, withDefaults)].map((e) => `${e.path.slice(1) || 'settings'}: ${e.message}`);
  if (problems.length > 0) throw new WeChatPayConfigError([...new Set(problems)]);
  const config = withDefaults as Static<typeof WeChatPayConfigSchema>;
  try {
    const key = createPrivateKey(config.privateKey);
    if (key.asymmetricKeyType !== 'rsa') problems.push('privateKey: must be an RSA key');
    else if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) problems.push('privateKey: must be at least 2048 bits');
  } catch (err) {
    problems.push(`privateKey: not a readable private key (${(err as Error).message})`);
  }
  if (config.verification.mode === 'public-key') {
    try {
      if (createPublicKey(config.verification.publicKey).asymmetricKeyType !== 'rsa')
        problems.push('verification.publicKey: must be an RSA key');
    } catch (err) {
      problems.push(`verification.publicKey: not a readable public key (${(err as Error).message})`);
    }
  }
  if (problems.length > 0) throw new WeChatPayConfigError(problems);
  return Object.freeze({ ...config, certSerial: config.certSerial.toUpperCase(), verification: Object.freeze({ ...config.verification }) });
}

/** The environment variables read by {@link wechatPayConfigFromEnv}. */
export const WECHATPAY_ENV = [
  'WECHATPAY_MCH_ID',
  'WECHATPAY_APP_ID',
  'WECHATPAY_PRIVATE_KEY',
  'WECHATPAY_CERT_SERIAL',
  'WECHATPAY_APIV3_KEY',
  'WECHATPAY_PUBLIC_KEY',
  'WECHATPAY_PUBLIC_KEY_ID',
  'WECHATPAY_BASE_URL',
] as const;

const REQUIRED = ['WECHATPAY_MCH_ID', 'WECHATPAY_APP_ID', 'WECHATPAY_PRIVATE_KEY', 'WECHATPAY_CERT_SERIAL', 'WECHATPAY_APIV3_KEY'] as const;

/** A PEM given inline (with real or `\n`-escaped line breaks) or as the path of a PEM file. */
function pem(name: string, value: string, problems: string[]): string {
  const text = value.trim();
  if (text.startsWith('-----BEGIN')) return text.replaceAll('\\n', '\n');
  try {
    return readFileSync(text, 'utf8');
  } catch (err) {
    problems.push(`${name}: neither a PEM nor a readable file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return '';
  }
}

/**
 * The provider's settings from WECHATPAY_* variables: null when none of the
 * required ones is set (the service then runs the sandbox), an error naming
 * every missing or bad one when only some are. WECHATPAY_PUBLIC_KEY and
 * WECHATPAY_PUBLIC_KEY_ID together select public-key verification; without
 * them, platform certificates are downloaded.
 */
export function wechatPayConfigFromEnv(env: Readonly<Partial<Record<(typeof WECHATPAY_ENV)[number], string>>>): WeChatPayConfig | null {
  const get = (k: (typeof WECHATPAY_ENV)[number]) => {
    const v = env[k];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  if (WECHATPAY_ENV.every((k) => get(k) === undefined)) return null;
  const problems: string[] = [];
  for (const k of REQUIRED) if (get(k) === undefined) problems.push(`${k}: required when WeChat Pay is configured`);
  const publicKey = get('WECHATPAY_PUBLIC_KEY');
  const publicKeyId = get('WECHATPAY_PUBLIC_KEY_ID');
  if ((publicKey === undefined) !== (publicKeyId === undefined))
    problems.push('WECHATPAY_PUBLIC_KEY and WECHATPAY_PUBLIC_KEY_ID: set both (public-key mode) or neither (platform certificates)');
  if (problems.length > 0) throw new WeChatPayConfigError(problems);
  const input = {
    mchId: get('WECHATPAY_MCH_ID'),
    appId: get('WECHATPAY_APP_ID'),
    privateKey: pem('WECHATPAY_PRIVATE_KEY', get('WECHATPAY_PRIVATE_KEY')!, problems),
    certSerial: get('WECHATPAY_CERT_SERIAL'),
    apiV3Key: get('WECHATPAY_APIV3_KEY'),
    ...(get('WECHATPAY_BASE_URL') ? { baseUrl: get('WECHATPAY_BASE_URL')!.replace(/\/+$/, '') } : {}),
    verification:
      publicKey && publicKeyId
        ? { mode: 'public-key', publicKey: pem('WECHATPAY_PUBLIC_KEY', publicKey, problems), publicKeyId }
        : { mode: 'platform-certificates' },
  };
  if (problems.length > 0) throw new WeChatPayConfigError(problems);
  try {
    return parseWeChatPayConfig(input);
  } catch (err) {
    if (!(err instanceof WeChatPayConfigError)) throw err;
    // Name the variables, not the fields, and never echo a secret.
    const names: Record<string, string> = {
      mchId: 'WECHATPAY_MCH_ID',
      appId: 'WECHATPAY_APP_ID',
      privateKey: 'WECHATPAY_PRIVATE_KEY',
      certSerial: 'WECHATPAY_CERT_SERIAL',
      apiV3Key: 'WECHATPAY_APIV3_KEY',
      baseUrl: 'WECHATPAY_BASE_URL',
      'verification.publicKey': 'WECHATPAY_PUBLIC_KEY',
      'verification/publicKey': 'WECHATPAY_PUBLIC_KEY',
      'verification/publicKeyId': 'WECHATPAY_PUBLIC_KEY_ID',
    };
    throw new WeChatPayConfigError(
      err.problems.map((p) => {
        const i = p.indexOf(':');
        const field = p.slice(0, i);
        return `${names[field] ?? field}${p.slice(i)}`;
      }),
    );
  }
}
