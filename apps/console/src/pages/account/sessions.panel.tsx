import { Button, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError } from '../../layout/form-actions';
import { useSession } from '../../session/session.context';

/** "Sign out everywhere", after a confirmation: every session of the account ends, this one too (back to sign-in). */
export function SessionsPanel() {
  const { t } = useI18n();
  const { signOutEverywhere } = useSession();
  const [confirming, setConfirming] = useState(false);
  const revoke = useMutation({ mutationFn: () => signOutEverywhere() });
  const close = () => {
    revoke.reset();
    setConfirming(false);
  };
  return (
    <Paper withBorder p="md">
      <Stack>
        <Title order={3} size="h4">
          {t('account.sessions.title')}
        </Title>
        <Text size="sm">{t('account.sessions.hint')}</Text>
        <Group>
          <Button color="red" variant="light" onClick={() => setConfirming(true)}>
            {t('account.sessions.revoke')}
          </Button>
        </Group>
      </Stack>
      <Modal opened={confirming} onClose={close} title={t('account.sessions.confirmTitle')}>
        <Stack>
          <Text size="sm">{t('account.sessions.confirmBody')}</Text>
          <MutationError error={revoke.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('account.sessions.cancel')}
            </Button>
            <Button color="red" loading={revoke.isPending} onClick={() => revoke.mutate()} data-testid="confirm-sign-out-everywhere">
              {t('account.sessions.revoke')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}
