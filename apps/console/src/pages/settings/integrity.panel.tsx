import { Alert, Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { fmtInt, fmtUsd } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';

/** `GET /api/ledger/reconciliation` as the billing service answers it (the route table types it loosely). */
interface ReconciliationView {
  checkedAt: string;
  consistent: boolean;
  users?: { checked: number; drifted: number; drift: number };
  tokens?: { checked: number; drifted: number; drift: number };
  lowBalanceUsers?: number;
  drifts?: { account: string; id: number; recorded: number; ledger: number; drift: number }[];
}

interface DeadLetterRow {
  id: number;
  consumer: string;
  requestId?: string | null;
  error: string;
  createdAt?: string;
}

/** The ledger check: balances and used quotas against the ledger, run now on request. */
function LedgerCard() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const check = useQuery({ queryKey: ['reconciliation'], queryFn: async () => (await api('ledger.reconcile')) as unknown as ReconciliationView });
  return (
    <Card withBorder data-testid="integrity-ledger">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          {t('settings.ledger')}
        </Title>
        <Button size="compact-sm" variant="light" loading={check.isFetching} onClick={() => void check.refetch()}>
          {t('settings.checkAgain')}
        </Button>
      </Group>
      <QueryState query={check}>
        {(r) => (
          <Stack gap="xs">
            <Group gap="xs">
              <Badge color={r.consistent ? 'green' : 'red'} variant="light" data-testid="ledger-state">
                {r.consistent ? t('settings.ledgerConsistent') : t('settings.ledgerDrift')}
              </Badge>
              <Text size="xs" c="dimmed">
                {t('settings.checkedAt', { time: new Date(r.checkedAt).toLocaleString(locale) })}
              </Text>
            </Group>
            <Text size="sm">
              {t('settings.ledgerChecked', {
                users: fmtInt(r.users?.checked ?? 0, locale),
                tokens: fmtInt(r.tokens?.checked ?? 0, locale),
                low: fmtInt(r.lowBalanceUsers ?? 0, locale),
              })}
            </Text>
            {!r.consistent && (r.drifts?.length ?? 0) > 0 && (
              <Table.ScrollContainer minWidth={420}>
                <Table striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('settings.account')}</Table.Th>
                      <Table.Th ta="right">{t('settings.recorded')}</Table.Th>
                      <Table.Th ta="right">{t('settings.ledgerSum')}</Table.Th>
                      <Table.Th ta="right">{t('settings.drift')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {r.drifts!.map((d) => (
                      <Table.Tr key={`${d.account}-${d.id}`}>
                        <Table.Td>
                          {d.account} #{d.id}
                        </Table.Td>
                        <Table.Td ta="right">{fmtUsd(d.recorded, locale)}</Table.Td>
                        <Table.Td ta="right">{fmtUsd(d.ledger, locale)}</Table.Td>
                        <Table.Td ta="right">{fmtUsd(d.drift, locale)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Stack>
        )}
      </QueryState>
    </Card>
  );
}

/** Usage records that could not be committed: each one is money or a log line a person must look at. */
function DeadLettersCard() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const letters = useQuery({ queryKey: ['dead-letters'], queryFn: () => api('usage-dead-letters.list', { query: { limit: 10 } }) });
  return (
    <Card withBorder data-testid="integrity-dead-letters">
      <Title order={3} size="h5" mb="xs">
        {t('settings.deadLetters')}
      </Title>
      <QueryState query={letters}>
        {({ data, total }) =>
          total === 0 ? (
            <Group gap="xs">
              <Badge color="green" variant="light" data-testid="dead-letters-state">
                {t('settings.deadLettersNone')}
              </Badge>
            </Group>
          ) : (
            <Stack gap="xs">
              <Alert color="red" variant="light" data-testid="dead-letters-state">
                {t('settings.deadLettersSome', { n: fmtInt(total, locale) })}
              </Alert>
              <Table.ScrollContainer minWidth={480}>
                <Table striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('col.time')}</Table.Th>
                      <Table.Th>{t('settings.consumer')}</Table.Th>
                      <Table.Th>{t('settings.requestId')}</Table.Th>
                      <Table.Th>{t('settings.error')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {(data as DeadLetterRow[]).map((d) => (
                      <Table.Tr key={d.id}>
                        <Table.Td>{d.createdAt ? new Date(d.createdAt).toLocaleString(locale) : '—'}</Table.Td>
                        <Table.Td>{d.consumer}</Table.Td>
                        <Table.Td ff="monospace">{d.requestId ?? '—'}</Table.Td>
                        <Table.Td>{d.error}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Stack>
          )
        }
      </QueryState>
    </Card>
  );
}

/** The guarantees an operator checks: balances derive from the ledger, and no usage record was lost. */
export function IntegrityPanel() {
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <LedgerCard />
      <DeadLettersCard />
    </SimpleGrid>
  );
}
