import { Alert, Button, Divider, Stack } from '@mantine/core';
import { startAuthentication, browserSupportsWebAuthn } from '@simplewebauthn/browser';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { SignInMethods } from '@switchboard/contracts';
import { errorFrom } from '../../api/admin-client';
import { useI18n } from '../../i18n/i18n.context';
import type { MessageKey } from '../../i18n/messages';

const KNOWN_ERRORS = ['oidc_state', 'oidc_not_linked', 'account_disabled'];

async function post(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await errorFrom(res);
  return res.json();
}

/**
 * The sign-in page's other ways in: "Sign in with <provider>" when OIDC is configured (a plain navigation to
 * /api/auth/oidc/login; the gateway redirects back with the session cookie, or with `?signin_error=`), and a passkey.
 */
export function OtherSignIn() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const methods = useQuery({
    queryKey: ['auth-methods'],
    queryFn: async () => (await (await fetch('/api/auth/methods', { headers: { accept: 'application/json' } })).json()) as SignInMethods,
    staleTime: Infinity,
  });
  const [error, setError] = useState<string | null>(() => {
    const code = new URLSearchParams(window.location.search).get('signin_error');
    if (!code) return null;
    return t((KNOWN_ERRORS.includes(code) ? `signIn.error.${code}` : 'signIn.error.other') as MessageKey);
  });
  const [busy, setBusy] = useState(false);
  const passkey = async () => {
    setBusy(true);
    setError(null);
    try {
      const optionsJSON = (await post('/api/auth/passkey/login/options')) as Parameters<typeof startAuthentication>[0]['optionsJSON'];
      const response = await startAuthentication({ optionsJSON });
      await post('/api/auth/passkey/login/verify', { response });
      // The cookie is set: the session query picks up its CSRF token and user.
      await queryClient.resetQueries({ queryKey: ['session'] });
    } catch (err) {
      setError(t('signIn.failed', { message: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };
  const oidc = methods.data?.oidc;
  return (
    <Stack gap="sm" mt="md">
      <Divider label={t('signIn.or')} labelPosition="center" />
      {error && (
        <Alert color="red" role="alert" data-testid="other-sign-in-error">
          {error}
        </Alert>
      )}
      {oidc && (
        <Button component="a" href="/api/auth/oidc/login" variant="default">
          {t('signIn.withProvider', { name: oidc.name })}
        </Button>
      )}
      {methods.data?.passkey && browserSupportsWebAuthn() && (
        <Button variant="default" onClick={() => void passkey()} loading={busy}>
          {t('signIn.withPasskey')}
        </Button>
      )}
    </Stack>
  );
}
