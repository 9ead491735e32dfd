import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onSessionChange, session, signOut } from './auth.js';
import { setLang } from './i18n.js';

type Labels = Readonly<{ title: string; language: string; signOut: string }>;

/** A page's frame: the header (title, language toggle, sign-out), then the page when signed in, else its sign-in form. */
export function Shell({
  labels: t,
  current,
  page,
  signIn,
}: {
  labels: Labels;
  current: string;
  page: ComponentChildren;
  signIn: ComponentChildren;
}) {
  const [signedIn, setSignedIn] = useState(session() !== null);
  useEffect(() => onSessionChange(() => setSignedIn(session() !== null)), []);
  return (
    <>
      <header>
        <span class="brand">KTV · {t.title}</span>
        <button class="link" onClick={() => setLang(current === 'en' ? 'zh-CN' : 'en')}>
          {t.language}
        </button>
        {signedIn && (
          <button class="link" onClick={signOut}>
            {t.signOut}
          </button>
        )}
      </header>
      {signedIn ? page : signIn}
    </>
  );
}
