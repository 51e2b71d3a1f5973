import { Alert, Button, Group, NumberInput, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useLocation } from 'react-router';
import { fmtDateTime, fmtUsd } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import type { MessageKey } from '../../i18n/messages';
import { MutationError } from '../../layout/form-actions';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';

const KINDS = ['topup', 'redemption', 'stripe_topup', 'stripe_refund', 'stripe_dispute'];

/**
 * Top up with Stripe: an amount in the configured currency opens a Checkout session and the browser goes there;
 * Stripe sends it back here (`?topup=success|cancelled`). The balance moves when Stripe's webhook arrives, so the
 * history below is the ledger's credits and reversals, not what the browser was told.
 */
export function TopupPanel() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const { search } = useLocation();
  const returned = new URLSearchParams(search).get('topup');
  const topups = useQuery({ queryKey: ['me', 'topups'], queryFn: () => api('me.topups') });
  const [amount, setAmount] = useState<number | string>('');
  const checkout = useMutation({
    mutationFn: () => api('me.topup.checkout', { body: { amount: Number(amount) } }),
    onSuccess: ({ url }) => window.location.assign(url),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    checkout.mutate();
  };
  return (
    <QueryState query={topups}>
      {(v) => (
        <Stack>
          {returned === 'success' && (
            <Alert color="green" role="status" data-testid="topup-returned">
              {t('topup.returned.success')}
            </Alert>
          )}
          {returned === 'cancelled' && (
            <Alert color="yellow" role="status" data-testid="topup-returned">
              {t('topup.returned.cancelled')}
            </Alert>
          )}
          <Paper withBorder p="md">
            <Text size="xs" c="dimmed">
              {t('account.balance')}
            </Text>
            <Text size="lg" fw={600} data-testid="topup-balance">
              {v.balance === null ? t('account.unlimited') : fmtUsd(v.balance, locale)}
            </Text>
          </Paper>
          {v.enabled ? (
            <form onSubmit={submit}>
              <Stack gap="xs">
                <Title order={3} size="h5">
                  {t('topup.title')}
                </Title>
                <Group align="flex-end">
                  <NumberInput
                    label={t('topup.amount', { currency: v.currency.toUpperCase() })}
                    description={t('topup.bounds', { min: v.minAmount, max: v.maxAmount, currency: v.currency.toUpperCase() })}
                    min={v.minAmount}
                    max={v.maxAmount}
                    decimalScale={2}
                    clampBehavior="none"
                    value={amount}
                    onChange={setAmount}
                    required
                  />
                  <Button type="submit" loading={checkout.isPending || checkout.isSuccess} disabled={amount === ''}>
                    {t('topup.pay')}
                  </Button>
                </Group>
                {v.usdPerUnit !== 1 || v.currency !== 'usd' ? (
                  <Text size="xs" c="dimmed">
                    {t('topup.rate', { currency: v.currency.toUpperCase(), rate: v.usdPerUnit })}
                  </Text>
                ) : null}
              </Stack>
            </form>
          ) : (
            <Alert color="gray">{t('topup.disabled')}</Alert>
          )}
          <MutationError error={checkout.error} />
          <Title order={3} size="h5">
            {t('topup.history')}
          </Title>
          {v.data.length === 0 ? (
            <Text c="dimmed">{t('topup.none')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={420}>
              <Table data-testid="topup-history">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('col.time')}</Table.Th>
                    <Table.Th>{t('topup.kind')}</Table.Th>
                    <Table.Th>{t('topup.credited')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {v.data.map((e) => (
                    <Table.Tr key={e.id}>
                      <Table.Td>{fmtDateTime(e.createdAt, locale)}</Table.Td>
                      <Table.Td>{KINDS.includes(e.kind) ? t(`topup.kind.${e.kind}` as MessageKey) : e.kind}</Table.Td>
                      <Table.Td>{fmtUsd(e.amount, locale)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      )}
    </QueryState>
  );
}
