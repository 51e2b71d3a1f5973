import { Alert, Button, Center, Paper, PasswordInput, SegmentedControl, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/admin-client';
import { useI18n } from '../../i18n/i18n.context';
import { useSession } from '../../session/session.context';
import { OtherSignIn } from '../passkeys/other-sign-in';

type Mode = 'password' | 'adminKey';

/**
 * Sign-in with a username and password (and, when the gateway answers totp_required, a second step asking for the
 * authenticator's code or a backup code), or with the admin key.
 */
export function SignInPage() {
  const { t } = useI18n();
  const { signIn } = useSession();
  const [mode, setMode] = useState<Mode>('password');
  const [key, setKey] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'adminKey') await signIn({ adminKey: key });
      else await signIn({ username, password, ...(needTotp ? { totp: totp.trim() } : {}) });
      setKey('');
      setPassword('');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required') {
        setNeedTotp(true);
      } else {
        setError(err instanceof Error ? err.message : String(err));
        if (err instanceof ApiError && err.code === 'invalid_totp') setTotp('');
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="100vh" p="md">
      <Paper component="main" withBorder p="xl" w={380} maw="100%">
        <form onSubmit={(e) => void submit(e)}>
          <Stack>
            <Title order={1} size="h3">
              {t('signIn.title')}
            </Title>
            <SegmentedControl
              aria-label={t('signIn.method')}
              value={mode}
              onChange={(v) => {
                setMode(v as Mode);
                setError(null);
              }}
              data={[
                { value: 'password', label: t('signIn.withPassword') },
                { value: 'adminKey', label: t('signIn.withAdminKey') },
              ]}
            />
            {mode === 'adminKey' ? (
              <PasswordInput
                label={t('signIn.adminKey')}
                description={t('signIn.adminKeyHint')}
                value={key}
                onChange={(e) => setKey(e.currentTarget.value)}
                required
                autoFocus
              />
            ) : needTotp ? (
              <TextInput
                label={t('signIn.totp')}
                description={t('signIn.totpHint')}
                value={totp}
                onChange={(e) => setTotp(e.currentTarget.value)}
                autoComplete="one-time-code"
                inputMode="text"
                required
                autoFocus
              />
            ) : (
              <>
                <TextInput
                  label={t('signIn.username')}
                  value={username}
                  onChange={(e) => setUsername(e.currentTarget.value)}
                  autoComplete="username"
                  required
                  autoFocus
                />
                <PasswordInput
                  label={t('signIn.password')}
                  value={password}
                  onChange={(e) => setPassword(e.currentTarget.value)}
                  autoComplete="current-password"
                  required
                />
              </>
            )}
            {error && (
              <Alert color="red" role="alert" data-testid="sign-in-error">
                {t('signIn.failed', { message: error })}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              {needTotp && mode === 'password' ? t('signIn.verify') : t('signIn.submit')}
            </Button>
          </Stack>
        </form>
        {mode === 'password' && !needTotp && <OtherSignIn />}
      </Paper>
    </Center>
  );
}
