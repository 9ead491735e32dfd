import type { WeChatLoginConfig } from '../../src/config.js';
import { UnauthorizedError, UnavailableError } from '../../src/errors.js';

/** What `sns/oauth2/access_token` answers for a good code. */
export type WeChatGrant = Readonly<{ accessToken: string; openid: string; unionid: string | null }>;

/** What `sns/userinfo` answers (the fields we use). */
export type WeChatProfile = Readonly<{ openid: string; unionid: string | null; nickname: string }>;

/**
 * Error codes that mean the code itself is no good, so starting again helps:
 * 40029 invalid code, 40163 code been used, 41008 missing code, 42003 code expired.
 */
const CODE_REFUSED = new Set([40029, 40163, 41008, 42003]);
const TIMEOUT_MS = 5000;

type WeChatAnswer = Record<string, unknown> & { errcode?: unknown; errmsg?: unknown };

/**
 * WeChat's web authorization (网页授权) is OAuth 2.0 without OpenID Connect: a
 * code is exchanged at `sns/oauth2/access_token` for an access token with the
 * user's `openid` (per app) and `unionid` (per developer account), and
 * `sns/userinfo` gives the profile; there is no ID token and no discovery. Errors
 * come as `{errcode, errmsg}` with HTTP 200, often as `text/plain`.
 */
export class WeChatLogin {
  constructor(private readonly config: WeChatLoginConfig) {}

  /** Where the browser goes to authorize; WeChat wants the `#wechat_redirect` fragment. */
  authorizeUrl(state: string): string {
    const url = new URL(this.config.authorizeUrl);
    url.search = new URLSearchParams({
      appid: this.config.appId,
      redirect_uri: this.config.redirectUri,
      response_type: 'code',
      scope: this.config.scope,
      state,
    }).toString();
    url.hash = 'wechat_redirect';
    return url.href;
  }

  async exchange(code: string): Promise<WeChatGrant> {
    const body = await this.call('/sns/oauth2/access_token', {
      appid: this.config.appId,
      secret: this.config.appSecret,
      code,
      grant_type: 'authorization_code',
    });
    const { access_token: accessToken, openid, unionid } = body;
    if (typeof accessToken !== 'string' || typeof openid !== 'string') throw unavailable();
    return { accessToken, openid, unionid: typeof unionid === 'string' && unionid ? unionid : null };
  }

  async profile(grant: WeChatGrant): Promise<WeChatProfile> {
    const body = await this.call('/sns/userinfo', { access_token: grant.accessToken, openid: grant.openid, lang: 'zh_CN' });
    const { openid, unionid, nickname } = body;
    if (typeof openid !== 'string') throw unavailable();
    return {
      openid,
      unionid: typeof unionid === 'string' && unionid ? unionid : null,
      nickname: typeof nickname === 'string' ? nickname : '',
    };
  }

  private async call(path: string, query: Record<string, string>): Promise<WeChatAnswer> {
    let body: WeChatAnswer;
    try {
      const res = await fetch(`${this.config.apiUrl}${path}?${new URLSearchParams(query).toString()}`, {
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!res.ok) throw new Error(`WeChat answered HTTP ${res.status}`);
      body = JSON.parse(await res.text()) as WeChatAnswer;
      if (typeof body !== 'object' || body === null) throw new Error('WeChat answered no object');
    } catch {
      throw unavailable();
    }
    const errcode = typeof body.errcode === 'number' ? body.errcode : 0;
    if (errcode === 0) return body;
    const detail = { errcode, errmsg: typeof body.errmsg === 'string' ? body.errmsg.slice(0, 100) : '' };
    if (CODE_REFUSED.has(errcode))
      throw new UnauthorizedError(
        'wechat_code_rejected',
        'WeChat refused the authorization code (invalid, expired or already used); start again.',
        detail,
      );
    // Anything else (busy, our app id or secret refused, rate limited) is not the user's doing.
    throw new UnavailableError('wechat_unavailable', 'WeChat sign-in is not available right now; retry shortly.', detail);
  }
}

const unavailable = () => new UnavailableError('wechat_unavailable', 'WeChat sign-in is not available right now; retry shortly.');
