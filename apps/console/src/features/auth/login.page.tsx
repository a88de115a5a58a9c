import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError } from '../../api/api-client';
import { login } from '../../api/auth.api';
import { isServerPage, safeReturnPath } from './return-path';
import { meKey } from './use-me.query';

export function LoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const next = safeReturnPath(searchParams.get('next'));

  useEffect(() => {
    document.title = 'Log in · Walbridge';
  }, []);

  const mutation = useMutation({
    mutationFn: login,
    onSuccess: (result) => {
      // Another user may log in on this browser: nothing of the previous session may show.
      queryClient.clear();
      queryClient.setQueryData(meKey, result.user);
      if (isServerPage(next)) window.location.assign(next);
      else navigate(next, { replace: true });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({ username, password });
  };

  return (
    <main id="main" className="login">
      <form className="login__card" onSubmit={submit} aria-labelledby="login-title" noValidate>
        <p className="brand">
          <span className="brand__mark" aria-hidden="true">
            W
          </span>
          Walbridge
        </p>
        <h1 id="login-title">Log in</h1>
        <div className="field">
          <label htmlFor="login-username">User name</label>
          <input id="login-username" name="username" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {mutation.error && <p className="notice notice--error" role="alert">{loginErrorText(mutation.error)}</p>}
        <button type="submit" className="button button--primary" disabled={mutation.isPending || !username || !password}>
          {mutation.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}

function loginErrorText(error: Error): string {
  if (!(error instanceof ApiError)) return error.message;
  if (error.statusCode === 401) return 'Wrong user name or password.';
  if (error.statusCode === 429) return `${error.message.replace(/^too many failed logins/, 'Too many failed logins')}.`;
  return error.message;
}
