import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onSessionChange, session, signIn, signOut } from '../shared/auth.js';
import { lang, setLang, useStrings } from '../shared/i18n.js';
import { STRINGS } from './strings.js';
import { Board } from './board.js';
import { Desk } from './till.js';

const STAFF = ['waiter', 'manager', 'admin'];

function SignIn() {
  const [t] = useStrings(STRINGS);
  const [error, setError] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const text = (name: string) => {
      const v = form.get(name);
      return typeof v === 'string' ? v : '';
    };
    signIn(text('email'), text('password'), STAFF).catch((err: unknown) =>
      setError(err instanceof Error && err.message === 'not_allowed' ? t.notStaff : t.badLogin),
    );
  };
  return (
    <form class="sign-in" onSubmit={submit}>
      <h1>{t.title}</h1>
      <label>
        {t.email}
        <input name="email" type="email" autocomplete="username" required />
      </label>
      <label>
        {t.password}
        <input name="password" type="password" autocomplete="current-password" required />
      </label>
      {error && <p class="error">{error}</p>}
      <button type="submit">{t.signIn}</button>
    </form>
  );
}

function App() {
  const [t, current] = useStrings(STRINGS);
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
      {signedIn ? (
        <>
          <Board />
          <Desk />
        </>
      ) : (
        <SignIn />
      )}
    </>
  );
}

document.documentElement.lang = lang();
render(<App />, document.getElementById('app')!);
