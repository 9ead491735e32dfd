import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onSessionChange, session, signOut } from '../shared/auth.js';
import { SignIn } from '../shared/sign-in.js';
import { lang, setLang, useStrings } from '../shared/i18n.js';
import { STRINGS } from './strings.js';
import { Board } from './board.js';
import { Desk } from './till.js';

const STAFF = ['waiter', 'manager', 'admin'];

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
        <SignIn roles={STAFF} labels={{ ...t, notAllowed: t.notStaff }} />
      )}
    </>
  );
}

document.documentElement.lang = lang();
render(<App />, document.getElementById('app')!);
