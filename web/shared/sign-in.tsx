import { useState } from 'preact/hooks';
import { signIn } from './auth.js';
import { field } from './form.js';

export type SignInLabels = Readonly<{
  title: string;
  email: string;
  password: string;
  signIn: string;
  badLogin: string;
  /** Shown when the account is not one of `roles`. */
  notAllowed: string;
}>;

/** The sign-in form of a page for some roles only: another account is refused with `notAllowed`. */
export function SignIn({ roles, labels: t }: { roles: readonly string[]; labels: SignInLabels }) {
  const [error, setError] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    signIn(field(e, 'email'), field(e, 'password'), roles).catch((err: unknown) =>
      setError(err instanceof Error && err.message === 'not_allowed' ? t.notAllowed : t.badLogin),
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
