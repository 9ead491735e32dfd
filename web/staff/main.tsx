import { render } from 'preact';
import { SignIn } from '../shared/sign-in.js';
import { Shell } from '../shared/shell.js';
import { lang, useStrings } from '../shared/i18n.js';
import { STRINGS } from './strings.js';
import { Board } from './board.js';
import { Desk } from './till.js';

const STAFF = ['waiter', 'manager', 'admin'];

function App() {
  const [t, current] = useStrings(STRINGS);
  return (
    <Shell
      labels={t}
      current={current}
      page={
        <>
          <Board />
          <Desk />
        </>
      }
      signIn={<SignIn roles={STAFF} labels={{ ...t, notAllowed: t.notStaff }} />}
    />
  );
}

document.documentElement.lang = lang();
render(<App />, document.getElementById('app')!);
