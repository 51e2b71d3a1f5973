import { Button, Group, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { StoredBalance } from '../../api/console-views';
import { fmtDateTime } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { useSession } from '../../session/session.context';

/** An amount in the provider's currency (an unknown code still shows, as "12.50 XYZ"). */
export function fmtBalance(amount: number, currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 4 }).format(amount);
  } catch {
    return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 4 }).format(amount)} ${currency}`;
  }
}

/**
 * The account balance a channel's provider reports, as the router last read it (part of the channel's read, so
 * opening the drawer asks no provider anything), and a button that reads it now (`?refresh=1`).
 */
export function ChannelBalanceLine({ channelId, stored }: { channelId: number; stored: StoredBalance | null | undefined }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [fresh, setFresh] = useState<StoredBalance | null>(null);
  const refresh = useMutation({
    mutationFn: () => api('channels.balance', { params: { id: String(channelId) }, query: { refresh: '1' } }),
    onSuccess: (b) => {
      setFresh(b);
      void queryClient.invalidateQueries({ queryKey: ['channels'] });
    },
  });
  const b = fresh ?? stored ?? null;
  const lastError = refresh.error?.message ?? b?.error ?? null;
  return (
    <Group gap="sm" mb="sm" wrap="wrap" data-testid="channel-balance">
      <Text size="sm" fw={600}>
        {t('channels.balance')}:
      </Text>
      <Text size="sm" data-testid="channel-balance-amount" c={b?.balance == null ? 'dimmed' : undefined}>
        {b?.balance != null && b.currency ? fmtBalance(b.balance, b.currency, locale) : '—'}
      </Text>
      {b?.updatedAt && (
        <Text size="xs" c="dimmed">
          {t('channels.balance.updated', { at: fmtDateTime(b.updatedAt, locale) })}
        </Text>
      )}
      {/* a stored failure is the last periodic read's, not an alert about what the admin just did */}
      {lastError && (
        <Text size="xs" c="red" role={refresh.error ? 'alert' : undefined}>
          {t('channels.balance.failed', { error: lastError })}
        </Text>
      )}
      <Button size="compact-xs" variant="light" loading={refresh.isPending} onClick={() => refresh.mutate()}>
        {t('channels.balance.refresh')}
      </Button>
    </Group>
  );
}
