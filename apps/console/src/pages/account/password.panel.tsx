import { Alert, Button, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { MeView } from '@switchboard/contracts';
import { ApiError } from '../../api/admin-client';
import { useI18n } from '../../i18n/i18n.context';
import type { MessageKey } from '../../i18n/messages';
import { useSession } from '../../session/session.context';

/** Refusals the form explains in the reader's language; any other error shows the gateway's message (it names the field). */
const KNOWN_ERRORS = ['invalid_credentials', 'totp_required', 'invalid_totp', 'too_many_attempts', 'reauthentication_required'] as const;

/**
 * A new password: the current one (none for an account made by OIDC, which may set its first one shortly after
 * signing in), the new one twice, and the 2FA code when 2FA is on. The gateway ends every other session of the account
 * and hands this tab a new one.
 */
export function PasswordPanel({ me }: { me: MeView }) {
  const { t } = useI18n();
  const { changePassword } = useSession();
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [totp, setTotp] = useState('');
  const [local, setLocal] = useState<MessageKey | null>(null);
  const change = useMutation({
    mutationFn: () =>
      changePassword({
        ...(me.hasPassword ? { currentPassword: current } : {}),
        newPassword: next,
        ...(me.twoFactor.enabled ? { totp: totp.trim() } : {}),
      }),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setRepeat('');
      setTotp('');
      void queryClient.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    change.reset();
    const problem: MessageKey | null = next.length < 8 ? 'account.password.tooShort' : next !== repeat ? 'account.password.mismatch' : null;
    setLocal(problem);
    if (!problem) change.mutate();
  };
  const error = change.error;
  const code = error instanceof ApiError ? KNOWN_ERRORS.find((k) => k === error.code) : undefined;
  const message = local ? t(local) : code ? t(`account.password.err.${code}`) : (error?.message ?? null);
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} data-testid="password-form">
        <Stack>
          <Title order={3} size="h4">
            {t('account.password.title')}
          </Title>
          {!me.hasPassword && <Text size="sm">{t('account.password.none')}</Text>}
          {me.hasPassword && (
            <PasswordInput
              label={t('account.password.current')}
              value={current}
              onChange={(e) => setCurrent(e.currentTarget.value)}
              autoComplete="current-password"
              required
            />
          )}
          <PasswordInput
            label={t('account.password.new')}
            description={t('account.password.newHint')}
            value={next}
            onChange={(e) => setNext(e.currentTarget.value)}
            autoComplete="new-password"
            required
          />
          <PasswordInput
            label={t('account.password.repeat')}
            value={repeat}
            onChange={(e) => setRepeat(e.currentTarget.value)}
            autoComplete="new-password"
            required
          />
          {me.twoFactor.enabled && (
            <TextInput
              label={t('account.password.totp')}
              description={t('account.password.totpHint')}
              value={totp}
              onChange={(e) => setTotp(e.currentTarget.value)}
              autoComplete="one-time-code"
              required
            />
          )}
          {message && (
            <Alert color="red" role="alert" data-testid="password-error">
              {message}
            </Alert>
          )}
          {change.isSuccess && (
            <Alert color="green" role="status" data-testid="password-changed">
              {t('account.password.changed')}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={change.isPending}>
              {me.hasPassword ? t('account.password.submit') : t('account.password.set')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
