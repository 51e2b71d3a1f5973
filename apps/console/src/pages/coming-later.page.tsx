import { Alert, Stack, Title } from '@mantine/core';
import { useI18n } from '../i18n/i18n.context';
import type { MessageKey } from '../i18n/messages';

/** A page of SPEC §8 this release does not build yet: says so plainly rather than showing a mock-up. */
export function ComingLaterPage({ label }: { label: MessageKey }) {
  const { t } = useI18n();
  return (
    <Stack>
      <Title order={2}>{t(label)}</Title>
      <Alert color="gray" title={t('later.title')} data-testid="coming-later">
        {t('later.body', { page: t(label) })}
      </Alert>
    </Stack>
  );
}
