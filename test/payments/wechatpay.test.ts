import t, { type Test } from 'tap';
import { createPrivateKey, generateKeyPairSync, randomUUID, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CallbackRejectedError } from '../../src/payments/provider.js';
import { WeChatPayProvider, beijingTime, type WeChatPayProviderOptions } from '../../src/payments/wechatpay/provider.js';
import {
  parseWeChatPayConfig,
  wechatPayConfigFromEnv,
  WeChatPayConfigError,
  type WeChatPayConfig,
} from '../../src/payments/wechatpay/config.js';
import { AeadError, decryptResource } from '../../src/payments/wechatpay/aead.js';
import {
  authorization,
  parseAuthorization,
  readSignedHeaders,
  requestMessage,
  SignatureError,
  verificationMessage,
} from '../../src/payments/wechatpay/sign.js';
import { ResponseVerificationError, WeChatPayApiError } from '../../src/payments/wechatpay/client.js';
import { CertificateDownloadError, PlatformCertificateVerifier } from '../../src/payments/wechatpay/verifier.js';
import { outRefundNoOf, outTradeNoOf, paymentIdOf } from '../../src/payments/wechatpay/ids.js';
import {
  encrypt,
  makeApiV3Key,
  makeMerchant,
  makePlatform,
  signedHeaders,
  WeChatPayStandIn,
  type Notification,
} from './wechatpay-standin.js';

const MCH_ID = '1900009191';
const APP_ID = 'wxd678efh567hg6787';
const merchant = makeMerchant();
const apiV3Key = makeApiV3Key();
const platform = makePlatform();

function settings(
  baseUrl: string,
  verification: WeChatPayConfig['verification'] = { mode: 'platform-certificates' },
  over: Partial<Record<string, unknown>> = {},
): WeChatPayConfig {
  return parseWeChatPayConfig({
    mchId: MCH_ID,
    appId: APP_ID,
    privateKey: merchant.privateKeyPem,
    certSerial: merchant.serial,
    apiV3Key,
    baseUrl,
    verification,
    ...over,
  });
}

async function standIn(t: Test, mode: 'platform-certificates' | 'public-key', extra: { refundStatus?: 'PROCESSING' | 'SUCCESS' } = {}) {
  const s = await WeChatPayStandIn.start({ mchId: MCH_ID, appId: APP_ID, merchant, apiV3Key, mode, platform, ...extra });
  t.teardown(() => s.close());
  return s;
}

function providerFor(s: WeChatPayStandIn, options: WeChatPayProviderOptions = {}, over: Partial<Record<string, unknown>> = {}) {
  const verification: WeChatPayConfig['verification'] =
    s.options.mode === 'public-key'
      ? { mode: 'public-key', publicKey: s.signer.publicKeyPem, publicKeyId: s.publicKeyId }
      : { mode: 'platform-certificates' };
  return new WeChatPayProvider(settings(s.url, verification, over), options);
}

const order = (over: Partial<{ paymentId: string; amount: number; payerOpenId: string }> = {}) => ({
  paymentId: over.paymentId ?? randomUUID(),
  description: 'KTV booking 1a2b3c4d deposit',
  amount: over.amount ?? 8880,
  currency: 'CNY' as const,
  notifyUrl: 'https://ktv.example.com/payments/wechatpay/notify',
  expiresAt: new Date(Date.now() + 15 * 60_000),
  ...(over.payerOpenId ? { payerOpenId: over.payerOpenId } : {}),
});

async function rejected(t: Test, p: Promise<unknown>, reason: string, what: string) {
  try {
    await p;
    t.fail(`${what}: accepted`);
  } catch (err) {
    t.ok(err instanceof CallbackRejectedError, `${what}: CallbackRejectedError (${(err as Error).name}: ${(err as Error).message})`);
    t.equal((err as CallbackRejectedError).reason, reason, `${what}: ${reason}`);
  }
}

/** What a promise rejects with; null when it resolves. */
async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
    return null;
  } catch (err) {
    return err;
  }
}

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

// ── units ──

t.test('signing: the exact messages and the Authorization header', async (t) => {
  t.equal(
    requestMessage('post', '/v3/pay/transactions/native', '1554208460', '593BEC0C930BF1AFEB40B4A08C8FB242', '{"a":1}'),
    'POST\n/v3/pay/transactions/native\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{"a":1}\n',
  );
  t.equal(
    requestMessage('GET', '/v3/certificates', '1554208460', 'N', ''),
    'GET\n/v3/certificates\n1554208460\nN\n\n',
    'GET signs an empty body line',
  );
  t.equal(verificationMessage('1554209980', 'c5ac7061', '{"prepay_id":"wx1"}').toString(), '1554209980\nc5ac7061\n{"prepay_id":"wx1"}\n');
  const header = authorization({
    mchId: MCH_ID,
    serial: merchant.serial,
    privateKey: merchant.privateKeyPem,
    method: 'GET',
    pathAndQuery: '/v3/certificates',
    body: '',
    timestamp: '1554208460',
    nonce: 'NONCE1',
  });
  t.match(
    header,
    /^WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="NONCE1",signature="[A-Za-z0-9+/]+=*",timestamp="1554208460",serial_no="[0-9A-F]{40}"$/,
  );
  const f = parseAuthorization(header)!;
  t.ok(
    verify('sha256', Buffer.from('GET\n/v3/certificates\n1554208460\nNONCE1\n\n'), merchant.publicKey, Buffer.from(f.signature!, 'base64')),
    'RSA-SHA256 PKCS#1 v1.5 over the message, checked by node:crypto directly',
  );
  t.notOk(
    verify('sha256', Buffer.from('GET\n/v3/certificates\n1554208461\nNONCE1\n\n'), merchant.publicKey, Buffer.from(f.signature!, 'base64')),
    'and not over another message',
  );
});

t.test('signed headers: required, and within five minutes', async (t) => {
  const now = Date.now();
  const h = signedHeaders(platform.privateKey, platform.serial, '{}', Math.floor(now / 1000));
  t.same(readSignedHeaders(lower(h), now).serial, platform.serial);
  t.same(readSignedHeaders(h, now).serial, platform.serial, 'header names in any case');
  const reason = (fn: () => unknown) => {
    try {
      fn();
      return 'accepted';
    } catch (err) {
      return err instanceof SignatureError ? err.reason : String(err);
    }
  };
  t.equal(
    reason(() => readSignedHeaders({ ...h, 'Wechatpay-Nonce': '' }, now)),
    'malformed',
  );
  t.equal(
    reason(() => readSignedHeaders({ ...h, 'Wechatpay-Timestamp': 'soon' }, now)),
    'malformed',
  );
  t.equal(
    reason(() => readSignedHeaders(h, now + 299_000)),
    'accepted',
    '299 s late is fine',
  );
  t.equal(
    reason(() => readSignedHeaders(h, now + 301_000)),
    'stale_timestamp',
    '301 s late is not',
  );
  t.equal(
    reason(() => readSignedHeaders(h, now - 301_000)),
    'stale_timestamp',
    'nor 301 s early',
  );
});

t.test('AEAD_AES_256_GCM: decrypts what the stand-in encrypts; any change is refused', async (t) => {
  const r = encrypt(apiV3Key, '{"hello":"世界"}', 'transaction');
  t.equal(decryptResource(apiV3Key, r).toString(), '{"hello":"世界"}');
  const bytes = Buffer.from(r.ciphertext, 'base64');
  bytes[0]! ^= 1;
  t.throws(() => decryptResource(apiV3Key, { ...r, ciphertext: bytes.toString('base64') }), AeadError, 'a flipped ciphertext bit');
  const tag = Buffer.from(r.ciphertext, 'base64');
  tag[tag.length - 1]! ^= 1;
  t.throws(() => decryptResource(apiV3Key, { ...r, ciphertext: tag.toString('base64') }), AeadError, 'a flipped tag bit');
  t.throws(() => decryptResource(apiV3Key, { ...r, associated_data: 'refund' }), AeadError, 'other associated data');
  t.throws(() => decryptResource(apiV3Key, { ...r, nonce: 'AAAAAAAAAAAA' }), AeadError, 'another nonce');
  t.throws(() => decryptResource(makeApiV3Key(), r), AeadError, 'another key');
  t.throws(() => decryptResource(apiV3Key, { ...r, algorithm: 'AEAD_CHACHA20' }), AeadError, 'another algorithm');
});

t.test('ids: a payment UUID travels as 32 hex digits and comes back', async (t) => {
  const id = randomUUID();
  t.match(outTradeNoOf(id), /^[0-9a-f]{32}$/);
  t.equal(paymentIdOf(outTradeNoOf(id)), id);
  t.equal(outTradeNoOf('p-000001'), 'p-000001');
  t.throws(() => outTradeNoOf('no spaces allowed'));
  t.equal(outRefundNoOf(`${id}-r1`), `${id}-r1`);
  t.equal(beijingTime(new Date('2026-01-01T00:00:00Z')), '2026-01-01T08:00:00+08:00');
});

t.test('configuration', async (t) => {
  const c = settings('https://api.mch.weixin.qq.com');
  t.equal(c.verification.mode, 'platform-certificates');
  t.equal(
    parseWeChatPayConfig({
      mchId: MCH_ID,
      appId: APP_ID,
      privateKey: merchant.privateKeyPem,
      certSerial: merchant.serial.toLowerCase(),
      apiV3Key,
      verification: { mode: 'platform-certificates' },
    }).baseUrl,
    'https://api.mch.weixin.qq.com',
    'base URL by default',
  );
  t.throws(() => settings('https://x', undefined, { apiV3Key: 'short' }), WeChatPayConfigError, 'an APIv3 key of other than 32 characters');
  t.throws(
    () => settings('https://x', undefined, { privateKey: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' }),
    /privateKey: not a readable private key/,
  );
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  t.throws(() => settings('https://x', undefined, { privateKey: ec }), /must be an RSA key/);
  t.throws(
    () => settings('https://x', { mode: 'public-key', publicKey: platform.publicKeyPem, publicKeyId: 'NOT_AN_ID' } as never),
    WeChatPayConfigError,
  );

  t.equal(wechatPayConfigFromEnv({}), null, 'no WECHATPAY_* variables: no WeChat Pay (sandbox)');
  t.equal(wechatPayConfigFromEnv({ WECHATPAY_MCH_ID: ' ' }), null, 'blank counts as unset');
  t.throws(
    () => wechatPayConfigFromEnv({ WECHATPAY_MCH_ID: MCH_ID }),
    /WECHATPAY_APP_ID: required[\s\S]*WECHATPAY_APIV3_KEY: required/,
    'some but not all: every missing one is named',
  );
  const env = {
    WECHATPAY_MCH_ID: MCH_ID,
    WECHATPAY_APP_ID: APP_ID,
    WECHATPAY_PRIVATE_KEY: merchant.privateKeyPem.replaceAll('\n', '\\n'),
    WECHATPAY_CERT_SERIAL: merchant.serial,
    WECHATPAY_APIV3_KEY: apiV3Key,
  };
  const fromEnv = wechatPayConfigFromEnv(env)!;
  t.equal(fromEnv.verification.mode, 'platform-certificates');
  t.equal(createPrivateKey(fromEnv.privateKey).asymmetricKeyType, 'rsa', 'a PEM with \\n escapes');
  t.throws(() => wechatPayConfigFromEnv({ ...env, WECHATPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_01' }), /set both/);
  const shortKey = await caught(async () => wechatPayConfigFromEnv({ ...env, WECHATPAY_APIV3_KEY: 'x'.repeat(31) }));
  t.ok(
    shortKey instanceof WeChatPayConfigError && /WECHATPAY_APIV3_KEY/.test(shortKey.message) && !shortKey.message.includes('x'.repeat(31)),
    'names the variable, does not echo the secret',
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wxpay-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'apiclient_key.pem'), merchant.privateKeyPem);
  writeFileSync(path.join(dir, 'pub_key.pem'), platform.publicKeyPem);
  const files = wechatPayConfigFromEnv({
    ...env,
    WECHATPAY_PRIVATE_KEY: path.join(dir, 'apiclient_key.pem'),
    WECHATPAY_PUBLIC_KEY: path.join(dir, 'pub_key.pem'),
    WECHATPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0119000091912025',
  })!;
  t.same(
    files.verification,
    { mode: 'public-key', publicKey: platform.publicKeyPem, publicKeyId: 'PUB_KEY_ID_0119000091912025' },
    'PEM files by path; public-key mode',
  );
  t.throws(
    () => wechatPayConfigFromEnv({ ...env, WECHATPAY_PRIVATE_KEY: path.join(dir, 'missing.pem') }),
    /WECHATPAY_PRIVATE_KEY: neither a PEM nor a readable file/,
  );
});

// ── the protocol, against the stand-in ──

for (const mode of ['platform-certificates', 'public-key'] as const) {
  t.test(`${mode}: orders, query, close and refund`, async (t) => {
    const s = await standIn(t, mode);
    const wx = providerFor(s);

    const native = order();
    const created = await wx.createOrder(native);
    const otn = outTradeNoOf(native.paymentId);
    const o = s.orders.get(otn)!;
    t.ok(o, 'the stand-in holds the order under the 32-digit out_trade_no');
    t.equal(created.codeUrl, o.codeUrl, 'Native: the code_url to show as a QR code');
    t.equal(created.providerOrderId, otn);
    t.equal(created.prepayId, undefined);
    t.match(o.body, {
      appid: APP_ID,
      mchid: MCH_ID,
      out_trade_no: otn,
      description: native.description,
      notify_url: native.notifyUrl,
      amount: { total: 8880, currency: 'CNY' },
    });
    t.equal(o.body.time_expire, beijingTime(native.expiresAt));
    t.match(o.body.time_expire, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    t.equal((await wx.createOrder(native)).codeUrl, o.codeUrl, 'the same order again is the same order');

    const jsapi = order({ payerOpenId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', amount: 100 });
    const j = await wx.createOrder(jsapi);
    const jo = s.orders.get(outTradeNoOf(jsapi.paymentId))!;
    t.equal(jo.tradeType, 'JSAPI');
    t.same(jo.body.payer, { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' });
    t.equal(j.prepayId, jo.prepayId);
    t.equal(j.codeUrl, undefined);
    const p = j.jsapiParams!;
    t.same(Object.keys(p).sort(), ['appId', 'nonceStr', 'package', 'paySign', 'signType', 'timeStamp']);
    t.equal(p.appId, APP_ID);
    t.equal(p.package, `prepay_id=${jo.prepayId}`);
    t.equal(p.signType, 'RSA');
    t.ok(
      verify(
        'sha256',
        Buffer.from(`${APP_ID}\n${p.timeStamp}\n${p.nonceStr}\nprepay_id=${jo.prepayId}\n`),
        merchant.publicKey,
        Buffer.from(p.paySign!, 'base64'),
      ),
      'paySign is the merchant signature over appId, timeStamp, nonceStr, package',
    );

    t.match(await wx.query(native.paymentId), { paymentId: native.paymentId, state: 'pending', transactionId: null, paidAt: null });
    const paid = s.pay(otn, Date.parse('2026-03-01T12:00:00Z'));
    const q = await wx.query(native.paymentId);
    t.same(
      q,
      {
        paymentId: native.paymentId,
        state: 'succeeded',
        transactionId: paid.transactionId,
        amount: 8880,
        paidAt: new Date('2026-03-01T12:00:00Z'),
      },
      'SUCCESS after the payer paid',
    );
    const unknown = randomUUID();
    t.same(
      await wx.query(unknown),
      { paymentId: unknown, state: 'closed', transactionId: null, amount: null, paidAt: null },
      'an order WeChat Pay does not know (a signed 404 ORDER_NOT_EXIST)',
    );

    await wx.close(jsapi.paymentId);
    t.equal(jo.state, 'CLOSED');
    t.equal((await wx.query(jsapi.paymentId)).state, 'closed');
    await wx.close(randomUUID());
    t.pass('closing an order that does not exist is done');
    await t.rejects(
      wx.close(native.paymentId),
      { name: 'WeChatPayApiError', code: 'ORDERPAID', verified: true },
      'a paid order cannot be closed',
    );

    const refundId = `${native.paymentId}-r1`;
    const r = await wx.refund({
      refundId,
      paymentId: native.paymentId,
      amount: 3000,
      total: 8880,
      reason: 'booking cancelled',
      notifyUrl: native.notifyUrl,
    });
    const sr = s.refunds.get(refundId)!;
    t.same(r, { refundId, providerRefundId: sr.refundId, state: 'processing' });
    t.match(sr, { outTradeNo: otn, refund: 3000, total: 8880, reason: 'booking cancelled', notifyUrl: native.notifyUrl });
    t.same(
      await wx.refund({
        refundId,
        paymentId: native.paymentId,
        amount: 3000,
        total: 8880,
        reason: 'booking cancelled',
        notifyUrl: native.notifyUrl,
      }),
      r,
      'the same out_refund_no again is the same refund',
    );
    t.equal((await wx.query(native.paymentId)).state, 'refunded');
    await t.rejects(
      wx.refund({
        refundId: `${native.paymentId}-r2`,
        paymentId: native.paymentId,
        amount: 6000,
        total: 8880,
        reason: 'too much',
        notifyUrl: native.notifyUrl,
      }),
      { name: 'WeChatPayApiError', status: 403, code: 'NOT_ENOUGH', verified: true },
    );
    await t.rejects(
      wx.createOrder({ ...order(), description: '' }),
      { name: 'WeChatPayApiError', status: 400, code: 'PARAM_ERROR' },
      'error bodies become WeChatPayApiError',
    );
    t.ok(
      s.log.every((l) => l.status !== 401),
      'every request was signed correctly',
    );
  });
}

t.test('an immediately successful refund', async (t) => {
  const s = await standIn(t, 'public-key', { refundStatus: 'SUCCESS' });
  const wx = providerFor(s);
  const o = order();
  await wx.createOrder(o);
  s.pay(outTradeNoOf(o.paymentId));
  t.equal(
    (
      await wx.refund({
        refundId: `${o.paymentId}-r1`,
        paymentId: o.paymentId,
        amount: 8880,
        total: 8880,
        reason: 'r',
        notifyUrl: o.notifyUrl,
      })
    ).state,
    'succeeded',
  );
});

t.test('the stand-in refuses a request not signed with the merchant key', async (t) => {
  const s = await standIn(t, 'public-key');
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const wx = providerFor(s, {}, { privateKey: other });
  const err = await caught(() => wx.createOrder(order()));
  t.ok(err instanceof WeChatPayApiError, String(err));
  t.match(err, { status: 401, code: 'SIGN_ERROR', verified: false }, 'the 401 is unsigned, and marked so');
  const wrongSerial = providerFor(s, {}, { certSerial: 'ABCDEF0123456789' });
  await t.rejects(wrongSerial.query(randomUUID()), { status: 401, code: 'SIGN_ERROR' });
  t.equal(s.orders.size, 0);
});

for (const mode of ['platform-certificates', 'public-key'] as const) {
  t.test(`${mode}: answers not signed by WeChat Pay are refused`, async (t) => {
    const s = await standIn(t, mode);
    const wx = providerFor(s, { minCertificateRefreshIntervalMs: 0 });
    const o = order();
    await wx.createOrder(o);
    const cases = [
      ['wrong-key', 'bad_signature'],
      ['tampered-body', 'bad_signature'],
      ['unsigned', 'malformed'],
      ['stale', 'stale_timestamp'],
      ['unknown-serial', 'unknown_serial'],
    ] as const;
    for (const [misbehaviour, reason] of cases) {
      s.misbehave = misbehaviour;
      const err = await caught(() => wx.query(o.paymentId));
      t.ok(err instanceof ResponseVerificationError && err.reason === reason, `${misbehaviour}: ${reason} (${String(err)})`);
      await t.rejects(wx.createOrder(order()), ResponseVerificationError, `${misbehaviour}: no order is believed created`);
    }
    s.misbehave = 'wrong-key';
    await t.rejects(
      wx.close(randomUUID()),
      ResponseVerificationError,
      'an error answer that carries a bad signature is refused too (no "order does not exist" on a forged word)',
    );
    s.misbehave = 'unsigned';
    const unsigned404 = await caught(() => wx.query(randomUUID()));
    t.ok(
      unsigned404 instanceof WeChatPayApiError && unsigned404.code === 'ORDER_NOT_EXIST' && !unsigned404.verified,
      'an unsigned "no such order" is not taken to mean closed',
    );
    await t.rejects(wx.close(randomUUID()), { name: 'WeChatPayApiError', verified: false }, 'nor taken as closed by close()');
    s.misbehave = null;
    t.equal((await wx.query(o.paymentId)).state, 'pending', 'signed properly again, answers are believed again');
  });
}

t.test('platform certificates: downloaded once, checked, refreshed on rotation', async (t) => {
  const s = await standIn(t, 'platform-certificates');
  const downloads = () => s.log.filter((l) => l.url === '/v3/certificates').length;
  const wx = providerFor(s, { minCertificateRefreshIntervalMs: 0 });
  await wx.createOrder(order());
  await wx.query(randomUUID());
  t.equal(downloads(), 1, 'one download for the first answer, none after');
  const trusted = (wx.verifier as PlatformCertificateVerifier).trusted;
  t.same(
    trusted.map((c) => c.serial),
    [platform.serial],
  );
  t.equal(trusted[0]!.pem, platform.certificatePem, 'the certificate decrypted with the APIv3 key');

  const next = s.rotate();
  await wx.createOrder(order());
  t.equal(downloads(), 2, 'an answer signed under a new serial makes it download again');
  t.same((wx.verifier as PlatformCertificateVerifier).trusted.map((c) => c.serial).sort(), [platform.serial, next.serial].sort());
  t.equal(new X509Certificate(next.certificatePem).serialNumber.toUpperCase(), next.serial);

  const throttled = providerFor(s, { minCertificateRefreshIntervalMs: 60_000 });
  await throttled.query(randomUUID());
  const before = downloads();
  s.misbehave = 'unknown-serial';
  for (let i = 0; i < 3; i++)
    await t.rejects(throttled.query(randomUUID()), { name: 'ResponseVerificationError', reason: 'unknown_serial' });
  t.equal(downloads(), before, 'unknown serials do not make it download more than once a minute');
  s.misbehave = null;

  s.misbehaveOn = 'certificates';
  for (const m of ['wrong-key', 'tampered-body', 'unsigned', 'stale'] as const) {
    s.misbehave = m;
    await t.rejects(
      providerFor(s).createOrder(order()),
      CertificateDownloadError,
      `${m}: a certificate list not signed properly is not trusted`,
    );
  }
  s.misbehave = null;
  s.misbehaveOn = 'api';

  s.certificateEntries = (entries) => {
    const serials = entries.map((e) => e.serial_no).reverse();
    return entries.map((e, i) => ({ ...e, serial_no: serials[i] }));
  };
  await t.rejects(
    providerFor(s).createOrder(order()),
    { name: 'CertificateDownloadError', message: /listed as [0-9A-F]+ has serial/ },
    'a certificate listed under another serial is not trusted',
  );
  s.certificateEntries = null;

  const wrongKey = providerFor(s, {}, { apiV3Key: makeApiV3Key() });
  await t.rejects(
    wrongKey.query(randomUUID()),
    CertificateDownloadError,
    'a certificate that does not decrypt with our APIv3 key is not trusted',
  );
});

t.test('public-key mode never downloads certificates', async (t) => {
  const s = await standIn(t, 'public-key');
  const wx = providerFor(s);
  await wx.createOrder(order());
  t.equal(s.log.filter((l) => l.url === '/v3/certificates').length, 0);
  const wrongKey = new WeChatPayProvider(
    settings(s.url, { mode: 'public-key', publicKey: makePlatform().publicKeyPem, publicKeyId: s.publicKeyId }),
  );
  await t.rejects(
    wrongKey.query(randomUUID()),
    { name: 'ResponseVerificationError', reason: 'bad_signature' },
    'another public key under the same id',
  );
});

// ── callbacks ──

for (const mode of ['platform-certificates', 'public-key'] as const) {
  t.test(`${mode}: callbacks`, async (t) => {
    const s = await standIn(t, mode);
    const wx = providerFor(s);
    const o = order({ amount: 12_800 });
    await wx.createOrder(o);
    const otn = outTradeNoOf(o.paymentId);
    const paid = s.pay(otn, Date.parse('2026-03-01T12:34:56Z'));
    const parse = (n: Notification) => wx.parseCallback(lower(n.headers), n.body);

    t.same(
      await parse(s.paymentNotification(otn)),
      {
        kind: 'payment',
        paymentId: o.paymentId,
        state: 'succeeded',
        transactionId: paid.transactionId,
        amount: 12_800,
        paidAt: new Date('2026-03-01T12:34:56Z'),
      },
      'TRANSACTION.SUCCESS',
    );
    const good = s.paymentNotification(otn);
    t.equal(
      (await wx.parseCallback({ ...lower(good.headers), 'wechatpay-signature': [good.headers['Wechatpay-Signature']!] }, good.body)).kind,
      'payment',
      'array-valued headers',
    );

    const refundId = `${o.paymentId}-r1`;
    const r = await wx.refund({ refundId, paymentId: o.paymentId, amount: 2800, total: 12_800, reason: 'partial', notifyUrl: o.notifyUrl });
    t.equal(r.state, 'processing');
    s.settleRefund(refundId, 'SUCCESS');
    t.same(
      await parse(s.refundNotification(refundId)),
      { kind: 'refund', refundId, paymentId: o.paymentId, state: 'succeeded', amount: 2800, providerRefundId: r.providerRefundId },
      'REFUND.SUCCESS',
    );
    s.settleRefund(refundId, 'ABNORMAL');
    t.match(await parse(s.refundNotification(refundId)), { kind: 'refund', state: 'failed' }, 'REFUND.ABNORMAL');

    const now = Math.floor(Date.now() / 1000);
    const forger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await rejected(t, parse(s.paymentNotification(otn, { signWith: forger })), 'bad_signature', 'signed with another key');
    await rejected(
      t,
      parse(s.paymentNotification(otn, { afterSigning: (b) => b.replace('TRANSACTION.SUCCESS', 'TRANSACTION.SUCCESS ') })),
      'bad_signature',
      'body changed after signing',
    );
    const probe = s.paymentNotification(otn);
    await rejected(
      t,
      wx.parseCallback(
        { ...lower(probe.headers), 'wechatpay-signature': `WECHATPAY/SIGNTEST/${probe.headers['Wechatpay-Signature']}` },
        probe.body,
      ),
      'bad_signature',
      "WeChat Pay's SIGNTEST probe",
    );
    await rejected(
      t,
      parse(
        s.paymentNotification(otn, {
          serial: mode === 'public-key' ? 'PUB_KEY_ID_0999999999999999' : '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
        }),
      ),
      'unknown_serial',
      'a serial we do not trust',
    );
    if (mode === 'public-key')
      await rejected(
        t,
        parse(s.paymentNotification(otn, { serial: platform.serial })),
        'unknown_serial',
        'a certificate serial in public-key mode',
      );
    await rejected(
      t,
      parse(s.paymentNotification(otn, { timestampSeconds: now - 301 })),
      'stale_timestamp',
      'signed more than 5 minutes ago',
    );
    await rejected(t, parse(s.paymentNotification(otn, { timestampSeconds: now + 360 })), 'stale_timestamp', 'dated 6 minutes ahead');
    await rejected(
      t,
      parse(
        s.paymentNotification(otn, {
          resource: (res) => {
            const b = Buffer.from(res.ciphertext, 'base64');
            b[5]! ^= 0x20;
            res.ciphertext = b.toString('base64');
          },
        }),
      ),
      'bad_ciphertext',
      'ciphertext changed, then signed',
    );
    await rejected(
      t,
      parse(s.paymentNotification(otn, { resource: (res) => (res.associated_data = 'refund') })),
      'bad_ciphertext',
      'associated data changed, then signed',
    );
    await rejected(
      t,
      parse(s.paymentNotification(otn, { resource: (res) => (res.nonce = 'AAAAAAAAAAAA') })),
      'bad_ciphertext',
      'nonce changed, then signed',
    );
    await rejected(
      t,
      parse(s.paymentNotification(otn, { resource: (res) => (res.ciphertext = res.ciphertext.slice(0, 8)) })),
      'bad_ciphertext',
      'truncated',
    );
    await rejected(
      t,
      parse(s.paymentNotification(otn, { resource: (res) => (res.algorithm = 'AEAD_AES_128_GCM') })),
      'malformed',
      'another algorithm',
    );
    await rejected(
      t,
      parse(s.paymentNotification(otn, { plaintext: (p) => (p.mchid = '1230000109') })),
      'wrong_merchant',
      'a payment to another merchant',
    );
    await rejected(
      t,
      parse(s.paymentNotification(otn, { plaintext: (p) => (p.appid = 'wx0000000000000000') })),
      'wrong_merchant',
      'a payment to another app',
    );
    await rejected(t, parse(s.paymentNotification(otn, { plaintext: (p) => delete p.amount })), 'malformed', 'no amount');
    await rejected(
      t,
      parse(s.paymentNotification(otn, { eventType: 'TRANSACTION.WHATEVER' })),
      'unsupported_event',
      'an event we do not handle',
    );
    const { 'Wechatpay-Serial': _, ...noSerial } = good.headers;
    await rejected(t, wx.parseCallback(lower(noSerial), good.body), 'malformed', 'no Wechatpay-Serial');
    await rejected(t, wx.parseCallback({}, good.body), 'malformed', 'no headers at all');
    const junk = signedHeaders(s.signer.key, s.signer.serial, 'not json', now);
    await rejected(t, wx.parseCallback(lower(junk), 'not json'), 'malformed', 'signed, but not JSON');
  });
}

t.test('a stand-in callback decrypts and verifies with node:crypto directly (the stand-in is not fooling itself)', async (t) => {
  const s = await standIn(t, 'platform-certificates');
  const wx = providerFor(s);
  const o = order();
  await wx.createOrder(o);
  s.pay(outTradeNoOf(o.paymentId));
  const n = s.paymentNotification(outTradeNoOf(o.paymentId));
  const body = JSON.parse(n.body);
  t.match(body, {
    event_type: 'TRANSACTION.SUCCESS',
    resource_type: 'encrypt-resource',
    resource: { algorithm: 'AEAD_AES_256_GCM', original_type: 'transaction', associated_data: 'transaction' },
  });
  t.match(body.resource.nonce, /^[A-Za-z0-9_-]{12}$/);
  const h = n.headers;
  t.ok(
    verify(
      'sha256',
      Buffer.from(`${h['Wechatpay-Timestamp']}\n${h['Wechatpay-Nonce']}\n${n.body}\n`),
      new X509Certificate(platform.certificatePem).publicKey,
      Buffer.from(h['Wechatpay-Signature']!, 'base64'),
    ),
  );
});

// ── through the service's own route ──

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

t.test('end to end: a booking paid by WeChat Pay, refunded, through POST /payments/wechatpay/notify', async (t) => {
  const [
    { testDatabase },
    { loadConfig },
    { createLogger },
    { openPlatform },
    { buildApp },
    { installProjections },
    features,
    { signUp },
    { setUpVenue },
    { refundPayment },
  ] = await Promise.all([
    import('../helpers/database.js'),
    import('../../src/config.js'),
    import('../../src/logger.js'),
    import('../../src/platform.js'),
    import('../../src/app.js'),
    import('../../src/projections/registry.js'),
    import('../../src/root/features.js'),
    import('../helpers/auth.js'),
    import('../helpers/venue.js'),
    import('../../commands/payments/process.js'),
  ]);
  const s = await standIn(t, 'platform-certificates');
  const port = await freePort();
  const jwt = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  // The overload guard off, as in every test's service (test/helpers/service.ts): this one listens, for the
  // stand-in's callbacks, and a busy host would otherwise get its requests refused.
  const config = loadConfig(
    {},
    {
      DATABASE_URL: await testDatabase(t),
      LOG_LEVEL: 'silent',
      JWT_PRIVATE_KEY: jwt,
      LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '100000',
      COMMANDS_PER_CALLER_PER_MINUTE: '1000000',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    },
  );
  const opened = await openPlatform(config, createLogger(config));
  const platform = { ...opened, payments: providerFor(s) };
  await installProjections(platform.db, features.projections);
  const app = await buildApp(platform, features.routes(platform));
  await app.listen({ port, host: '127.0.0.1' });
  t.teardown(async () => {
    await app.close();
    await opened.close();
  });
  const types = async (stream: string) => (await platform.store.readStream(stream)).events.map((e) => e.type);

  const venue = await setUpVenue(app, platform);
  const guest = await signUp(app, platform.store, 'guest');
  const start = venue.at(2, '20:00');
  const held = await app.inject({
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: venue.rooms.small[0], start: start.toISOString(), durationMinutes: 60, partySize: 2 },
  });
  t.equal(held.statusCode, 201, held.body);
  const bookingId = held.json().id as string;
  const started = await app.inject({ method: 'POST', url: `/bookings/${bookingId}/payments`, headers: guest.auth, payload: {} });
  t.equal(started.statusCode, 201, started.body);
  const p = started.json<{ paymentId: string; provider: string; amount: number; codeUrl?: string; sandboxCompleteUrl?: string }>();
  t.equal(p.provider, 'wechatpay');
  const otn = outTradeNoOf(p.paymentId);
  t.equal(p.codeUrl, s.orders.get(otn)!.codeUrl, 'the payer gets the Native code_url');
  t.equal(p.sandboxCompleteUrl, undefined);
  const notifyUrl = s.orders.get(otn)!.notifyUrl;
  t.equal(notifyUrl, `http://127.0.0.1:${port}/payments/wechatpay/notify`);

  s.pay(otn);
  const forged = await s.deliver(
    notifyUrl,
    s.paymentNotification(otn, { signWith: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }),
  );
  t.equal(forged.status, 400);
  t.match(JSON.parse(forged.body), { code: 'callback_rejected' });
  const tampered = await s.deliver(notifyUrl, s.paymentNotification(otn, { resource: (r) => (r.associated_data = 'x') }));
  t.equal(tampered.status, 400, 'tampered associated data: refused by the route');
  t.same(await types(`booking-${bookingId}`), ['BookingHeld'], 'refused callbacks change nothing');

  const paid = s.paymentNotification(otn);
  const delivered = await s.deliver(notifyUrl, paid);
  t.equal(delivered.status, 200, delivered.body);
  t.same(JSON.parse(delivered.body), { code: 'SUCCESS', message: 'OK' });
  t.same(await types(`booking-${bookingId}`), ['BookingHeld', 'BookingConfirmed']);
  const after = await types(`payment-${p.paymentId}`);
  t.equal((await s.deliver(notifyUrl, s.paymentNotification(otn))).status, 200, 'delivered again');
  t.same(await types(`payment-${p.paymentId}`), after, '…changes nothing');

  const refundId = await refundPayment(platform, p.paymentId, p.amount, 'test refund', { actor: 'test' });
  t.ok(refundId);
  const sr = s.refunds.get(refundId!)!;
  t.match(sr, { outTradeNo: otn, refund: p.amount, total: p.amount, status: 'PROCESSING', notifyUrl });
  s.settleRefund(refundId!, 'SUCCESS');
  const refunded = await s.deliver(sr.notifyUrl!, s.refundNotification(refundId!));
  t.equal(refunded.status, 200, refunded.body);
  const events = await types(`payment-${p.paymentId}`);
  t.same(events.slice(-2), ['RefundRequested', 'RefundSucceeded']);

  // Out of order: WeChat Pay's retry of the payment's callback (the same notification) arriving after its refund settled.
  const bookingEvents = await types(`booking-${bookingId}`);
  const late = await s.deliver(notifyUrl, paid);
  t.equal(late.status, 200, `a late retry of the payment callback is acknowledged: ${late.body}`);
  t.same(await types(`payment-${p.paymentId}`), events, '…and neither pays nor confirms anything again');
  t.same(await types(`booking-${bookingId}`), bookingEvents);
});
