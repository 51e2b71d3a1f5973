import { Alert, Button, Center, Paper, PasswordInput, Stack, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n.context';
import { useSession } from '../../session/session.context';

export function SignInPage() {
  const { t } = useI18n();
  const { signIn } = useSession();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key);
      setKey('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
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
            <PasswordInput
              label={t('signIn.adminKey')}
              description={t('signIn.adminKeyHint')}
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
              required
              autoFocus
            />
            {error && (
              <Alert color="red" role="alert" data-testid="sign-in-error">
                {t('signIn.failed', { message: error })}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              {t('signIn.submit')}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
