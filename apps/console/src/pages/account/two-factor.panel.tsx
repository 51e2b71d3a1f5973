import { Alert, Button, Code, Group, Image, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { useState, type FormEvent } from 'react';
import type { MeView } from '@switchboard/contracts';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError } from '../../layout/form-actions';
import { useSession } from '../../session/session.context';

/** 2FA: set up (QR code of the otpauth:// URI, then a code turns it on and shows the backup codes once), or turn off. */
export function TwoFactorPanel({ me }: { me: MeView }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [setup, setSetup] = useState<{ secret: string; uri: string; qr: string } | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['me'] });
  const start = useMutation({
    mutationFn: async () => {
      const s = await api('me.2fa.setup');
      return { ...s, qr: await QRCode.toDataURL(s.uri, { margin: 1, width: 200 }) };
    },
    onSuccess: (s) => setSetup(s),
  });
  const enable = useMutation({
    mutationFn: () => api('me.2fa.enable', { body: { code: code.trim() } }),
    onSuccess: (r) => {
      setCodes(r.backupCodes);
      setSetup(null);
      setCode('');
      void refresh();
    },
  });
  const disable = useMutation({
    mutationFn: () => api('me.2fa.disable', { body: { code: code.trim() } }),
    onSuccess: () => {
      setCode('');
      void refresh();
    },
  });
  const regenerate = useMutation({
    mutationFn: () => api('me.2fa.backup-codes', { body: { code: code.trim() } }),
    onSuccess: (r) => {
      setCodes(r.backupCodes);
      setCode('');
      void refresh();
    },
  });
  const submitEnable = (e: FormEvent) => {
    e.preventDefault();
    enable.mutate();
  };
  return (
    <Paper withBorder p="md">
      <Stack>
        <Title order={3} size="h4">
          {t('account.2fa.title')}
        </Title>
        {codes && (
          <Alert color="yellow" role="status" data-testid="backup-codes">
            <Stack gap="xs">
              <Text size="sm">{t('account.2fa.backupCodes')}</Text>
              <SimpleGrid cols={2} spacing={4}>
                {codes.map((c) => (
                  <Code key={c}>{c}</Code>
                ))}
              </SimpleGrid>
              <Group>
                <Button size="xs" variant="light" onClick={() => setCodes(null)}>
                  {t('account.2fa.done')}
                </Button>
              </Group>
            </Stack>
          </Alert>
        )}
        {me.twoFactor.enabled ? (
          <>
            <Text size="sm" data-testid="two-factor-state">
              {t('account.2fa.on', { left: me.twoFactor.backupCodesLeft })}
            </Text>
            <TextInput
              label={t('account.2fa.code')}
              description={t('account.2fa.codeHint')}
              value={code}
              onChange={(e) => setCode(e.currentTarget.value)}
              autoComplete="one-time-code"
            />
            <Group>
              <Button color="red" variant="light" disabled={!code.trim()} loading={disable.isPending} onClick={() => disable.mutate()}>
                {t('account.2fa.disable')}
              </Button>
              <Button variant="default" disabled={!code.trim()} loading={regenerate.isPending} onClick={() => regenerate.mutate()}>
                {t('account.2fa.regenerate')}
              </Button>
            </Group>
            <MutationError error={disable.error ?? regenerate.error} />
          </>
        ) : setup ? (
          <form onSubmit={submitEnable}>
            <Stack>
              <Text size="sm">{t('account.2fa.scan')}</Text>
              <Image src={setup.qr} alt={t('account.2fa.qr')} w={200} h={200} data-testid="totp-qr" />
              <Text size="sm">
                {t('account.2fa.secret')}: <Code data-testid="totp-secret">{setup.secret}</Code>
              </Text>
              <TextInput label={t('account.2fa.code')} value={code} onChange={(e) => setCode(e.currentTarget.value)} autoComplete="one-time-code" required />
              <Group>
                <Button type="submit" loading={enable.isPending}>
                  {t('account.2fa.enable')}
                </Button>
              </Group>
              <MutationError error={enable.error} />
            </Stack>
          </form>
        ) : (
          <>
            <Text size="sm" data-testid="two-factor-state">
              {t('account.2fa.off')}
            </Text>
            <Group>
              <Button loading={start.isPending} onClick={() => start.mutate()}>
                {t('account.2fa.setup')}
              </Button>
            </Group>
            <MutationError error={start.error} />
          </>
        )}
      </Stack>
    </Paper>
  );
}
