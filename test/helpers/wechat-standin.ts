import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';

/** A WeChat user as the stand-in knows them; `unionidIn` says where WeChat reveals the unionid (it varies by app setup). */
export type WeChatUser = Readonly<{ openid: string; unionid: string | null; nickname: string; unionidIn?: 'token' | 'userinfo' }>;

/**
 * A local stand-in for WeChat's web authorization, speaking its protocol:
 * `GET /connect/qrconnect` (the page where the user scans and agrees: answers by
 * redirecting to `redirect_uri` with `code` and `state`, or with `state` only
 * when the user declines), `GET /sns/oauth2/access_token` and `GET /sns/userinfo`,
 * which answer HTTP 200 in `text/plain` with either the data or `{errcode, errmsg}`
 * (40013 invalid appid, 40125 invalid appsecret, 41008 missing code, 40029
 * invalid code, 40163 code been used, 40001 invalid credential, -1 system busy).
 */
export async function startWeChatStandIn(t: Test) {
  const app = { appId: `wx${randomBytes(8).toString('hex')}`, secret: randomBytes(16).toString('hex') };
  const codes = new Map<string, { user: WeChatUser; used: boolean }>();
  const tokens = new Map<string, WeChatUser>();
  const behaviour = { next: null as WeChatUser | null, busy: false, down: false };

  const answer = (res: http.ServerResponse, body: object) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const q = (name: string) => url.searchParams.get(name);
    if (url.pathname === '/connect/qrconnect') {
      const redirect = new URL(q('redirect_uri') ?? '');
      if (q('appid') !== app.appId || q('response_type') !== 'code') return res.writeHead(400).end('bad request');
      const user = behaviour.next;
      if (user) {
        const code = randomBytes(12).toString('hex');
        codes.set(code, { user, used: false });
        redirect.searchParams.set('code', code);
      }
      redirect.searchParams.set('state', q('state') ?? '');
      return res.writeHead(302, { location: redirect.href }).end();
    }
    if (behaviour.down) return req.socket.destroy();
    if (behaviour.busy) return answer(res, { errcode: -1, errmsg: 'system error' });
    if (url.pathname === '/sns/oauth2/access_token') {
      if (q('appid') !== app.appId) return answer(res, { errcode: 40013, errmsg: 'invalid appid' });
      if (q('secret') !== app.secret) return answer(res, { errcode: 40125, errmsg: 'invalid appsecret' });
      const code = q('code');
      if (!code) return answer(res, { errcode: 41008, errmsg: 'missing code' });
      const issued = codes.get(code);
      if (!issued) return answer(res, { errcode: 40029, errmsg: 'invalid code' });
      if (issued.used) return answer(res, { errcode: 40163, errmsg: 'code been used' });
      issued.used = true;
      const token = randomBytes(16).toString('hex');
      tokens.set(token, issued.user);
      const { openid, unionid, unionidIn = 'token' } = issued.user;
      return answer(res, {
        access_token: token,
        expires_in: 7200,
        refresh_token: randomBytes(16).toString('hex'),
        openid,
        scope: 'snsapi_login',
        ...(unionid && unionidIn === 'token' ? { unionid } : {}),
      });
    }
    if (url.pathname === '/sns/userinfo') {
      const user = tokens.get(q('access_token') ?? '');
      if (!user) return answer(res, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
      if (q('openid') !== user.openid) return answer(res, { errcode: 40003, errmsg: 'invalid openid' });
      return answer(res, {
        openid: user.openid,
        nickname: user.nickname,
        sex: 0,
        province: '',
        city: '',
        country: 'CN',
        headimgurl: '',
        privilege: [],
        ...(user.unionid ? { unionid: user.unionid } : {}),
      });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    app,
    behaviour,
    /** The browser at WeChat's page: `user` agrees (null declines); returns where WeChat sends the browser back. */
    async authorize(authorizeUrl: string, user: WeChatUser | null): Promise<URL> {
      behaviour.next = user;
      const res = await fetch(authorizeUrl.replace(/#.*$/, ''), { redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status !== 302 || !location) throw new Error(`WeChat stand-in answered ${res.status}`);
      return new URL(location);
    },
    env: (redirectUri: string) => ({
      WECHAT_LOGIN_APP_ID: app.appId,
      WECHAT_LOGIN_APP_SECRET: app.secret,
      WECHAT_LOGIN_REDIRECT_URI: redirectUri,
      WECHAT_LOGIN_AUTHORIZE_URL: `${url}/connect/qrconnect`,
      WECHAT_LOGIN_API_URL: url,
    }),
  };
}
