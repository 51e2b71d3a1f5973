import { Button, Group, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fmtDateTime } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { useSession } from '../../session/session.context';

/** The account balance a channel's provider reports, as the router last read it, with a button to read it now. */
export function ChannelBalanceLine({ channelId }: { channelId: number }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const key = ['channel-balance', channelId];
  // a failed read is shown as it is (the provider's message), not retried behind the admin's back
  const balance = useQuery({ queryKey: key, queryFn: () => api('channels.balance', { params: { id: String(channelId) } }), retry: false });
  const refresh = useMutation({
    mutationFn: () => api('channels.balance', { params: { id: String(channelId) }, query: { refresh: '1' } }),
    onSuccess: (b) => queryClient.setQueryData(key, b),
    onError: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const b = balance.data;
  const amount = b && new Intl.NumberFormat(locale, { style: 'currency', currency: b.currency, maximumFractionDigits: 4 }).format(b.balance);
  return (
    <Group gap="sm" mb="sm" wrap="wrap" data-testid="channel-balance">
      <Text size="sm" fw={600}>
        {t('channels.balance')}:
      </Text>
      {b ? (
        <>
          <Text size="sm" data-testid="channel-balance-amount">
            {amount}
          </Text>
          <Text size="xs" c="dimmed">
            {t('channels.balance.updated', { at: fmtDateTime(b.updatedAt, locale) })}
          </Text>
        </>
      ) : (
        <Text size="sm" c={balance.isError ? 'red' : 'dimmed'}>
          {balance.isError ? balance.error.message : '…'}
        </Text>
      )}
      {(refresh.error ?? b?.error) && (
        <Text size="xs" c="red" role="alert">
          {refresh.error ? refresh.error.message : t('channels.balance.failed', { error: b!.error! })}
        </Text>
      )}
      <Button size="compact-xs" variant="light" loading={refresh.isPending} onClick={() => refresh.mutate()}>
        {t('channels.balance.refresh')}
      </Button>
    </Group>
  );
}
