import { Badge, Button, Drawer, Group, SimpleGrid, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { fmtInt, fmtMs, fmtUsd } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import type { MessageKey } from '../../i18n/messages';
import { isOrgAdmin } from '../../layout/console-pages';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import type { UserRow } from './user-draft';
import { fmtBalance, fmtDate, fmtDateTime, fmtSignedUsd } from './user-format';
import { usePhone } from '../../layout/use-phone';

const RECENT = 20;

/** The fields of a request log and a ledger entry this drawer shows (the route table types both loosely). */
interface UserLogRow {
  requestId: string;
  createdAt: string;
  model: string;
  status: number;
  promptTokens?: number;
  completionTokens?: number;
  cost?: number;
  latencyMs?: number | null;
}
interface LedgerRow {
  id: number;
  kind: string;
  amount: number;
  requestId: string | null;
  createdAt: string;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={500} component="div">
        {children}
      </Text>
    </div>
  );
}

function Requests({ userId }: { userId: number }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const logs = useQuery({
    queryKey: ['logs', { userId, limit: RECENT }],
    queryFn: async () => {
      const page = await api('logs.list', { query: { userId, limit: RECENT } });
      return { rows: page.data as unknown as UserLogRow[], total: page.total };
    },
  });
  return (
    <QueryState query={logs}>
      {({ rows, total }) =>
        rows.length === 0 ? (
          <Text c="dimmed">{t('users.noRequests')}</Text>
        ) : (
          <Stack gap="xs">
            <Text size="xs" c="dimmed">
              {t('users.requestsCount', { shown: rows.length, n: total })}
            </Text>
            <Table.ScrollContainer minWidth={620}>
              <Table striped data-testid="user-requests">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('col.time')}</Table.Th>
                    <Table.Th>{t('col.model')}</Table.Th>
                    <Table.Th>{t('col.status')}</Table.Th>
                    <Table.Th>{t('users.col.tokensUsed')}</Table.Th>
                    <Table.Th>{t('users.col.cost')}</Table.Th>
                    <Table.Th>{t('col.latency')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((r) => (
                    <Table.Tr key={r.requestId} title={r.requestId}>
                      <Table.Td>{fmtDateTime(r.createdAt, locale)}</Table.Td>
                      <Table.Td>{r.model}</Table.Td>
                      <Table.Td>
                        <Badge color={r.status < 400 ? 'green' : 'red'} variant="light">
                          {r.status}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        {fmtInt(r.promptTokens ?? 0, locale)} / {fmtInt(r.completionTokens ?? 0, locale)}
                      </Table.Td>
                      <Table.Td>{fmtUsd(r.cost ?? 0, locale)}</Table.Td>
                      <Table.Td>{fmtMs(r.latencyMs)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        )
      }
    </QueryState>
  );
}

const LEDGER_KINDS = ['usage', 'topup', 'redemption', 'adjustment', 'stripe_topup', 'stripe_refund', 'stripe_dispute'];

function Ledger({ userId }: { userId: number }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const ledger = useQuery({
    queryKey: ['ledger', { userId, limit: RECENT }],
    queryFn: async () => {
      const page = await api('ledger.list', { query: { userId, limit: RECENT } });
      return { rows: page.data as unknown as LedgerRow[], total: page.total, sum: page.sum };
    },
  });
  return (
    <QueryState query={ledger}>
      {({ rows, total, sum }) =>
        rows.length === 0 ? (
          <Text c="dimmed">{t('users.noLedger')}</Text>
        ) : (
          <Stack gap="xs">
            <Text size="xs" c="dimmed">
              {t('users.ledgerCount', { shown: rows.length, n: total, sum: fmtSignedUsd(sum, locale) })}
            </Text>
            <Table.ScrollContainer minWidth={520}>
              <Table striped data-testid="user-ledger">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('col.time')}</Table.Th>
                    <Table.Th>{t('users.col.kind')}</Table.Th>
                    <Table.Th ta="right">{t('users.col.amount')}</Table.Th>
                    <Table.Th>{t('users.col.request')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((e) => (
                    <Table.Tr key={e.id}>
                      <Table.Td>{fmtDateTime(e.createdAt, locale)}</Table.Td>
                      <Table.Td>{LEDGER_KINDS.includes(e.kind) ? t(`users.kind.${e.kind}` as MessageKey) : e.kind}</Table.Td>
                      <Table.Td ta="right" c={e.amount < 0 ? 'red' : 'green'} style={{ fontVariantNumeric: 'tabular-nums' }}>
                        {fmtSignedUsd(e.amount, locale)}
                      </Table.Td>
                      <Table.Td>
                        <Text size="xs" ff="monospace" truncate="end" maw={180}>
                          {e.requestId ?? '—'}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        )
      }
    </QueryState>
  );
}

function Tokens({ userId }: { userId: number }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const tokens = useQuery({ queryKey: ['tokens', { userId }], queryFn: () => api('tokens.list', { query: { userId, limit: 100 } }) });
  return (
    <QueryState query={tokens}>
      {({ data }) =>
        data.length === 0 ? (
          <Text c="dimmed">{t('users.noTokens')}</Text>
        ) : (
          <Table.ScrollContainer minWidth={480}>
            <Table striped data-testid="user-tokens">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('col.name')}</Table.Th>
                  <Table.Th>{t('users.col.key')}</Table.Th>
                  <Table.Th>{t('col.status')}</Table.Th>
                  <Table.Th>{t('users.col.used')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.map((k) => (
                  <Table.Tr key={k.id}>
                    <Table.Td>{k.name}</Table.Td>
                    <Table.Td ff="monospace">{k.key}…</Table.Td>
                    <Table.Td>{k.status}</Table.Td>
                    <Table.Td>
                      {fmtBalance(k.usedQuota, locale)} / {k.quota === null ? t('users.unlimited') : fmtBalance(k.quota, locale)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )
      }
    </QueryState>
  );
}

/** `/users/:id`: the user, its recent requests, its ledger and its tokens. */
export function UserDetailDrawer({
  userId,
  listed,
  onClose,
  actions,
}: {
  userId: number;
  /** the row of the list when it is on the current page (shown at once, and its token count) */
  listed: UserRow | undefined;
  onClose: () => void;
  actions: (user: UserRow) => ReactNode;
}) {
  const { t, locale } = useI18n();
  const { api, user: me } = useSession();
  // The ledger is billing's: an org admin may not read it.
  const orgAdmin = isOrgAdmin(me);
  const phone = usePhone();
  const user = useQuery({
    queryKey: ['users', 'detail', userId],
    queryFn: () => api('users.get', { params: { id: String(userId) } }),
  });
  const tokenCount = useQuery({
    queryKey: ['tokens', { userId, count: true }],
    queryFn: async () => (await api('tokens.list', { query: { userId, limit: 1 } })).total,
    enabled: !listed,
  });
  const shown = user.data ? { ...user.data, tokenCount: listed?.tokenCount ?? tokenCount.data ?? 0 } : undefined;
  return (
    <Drawer
      opened
      onClose={onClose}
      position="right"
      size={phone ? '100%' : 'xl'}
      title={<Title order={3}>{t('users.detail', { name: shown?.name ?? listed?.name ?? `#${userId}` })}</Title>}
      closeButtonProps={{ 'aria-label': t('users.detailBack') }}
    >
      <QueryState query={user}>
        {() =>
          shown && (
            <Stack>
              <Group gap="xs">
                <Badge color={shown.status === 'active' ? 'green' : 'gray'} variant="light">
                  {shown.status === 'active' || shown.status === 'disabled' ? t(`users.status.${shown.status}`) : shown.status}
                </Badge>
                {shown.builtin && <Badge variant="outline">{t('users.builtin')}</Badge>}
              </Group>
              <SimpleGrid cols={{ base: 2, sm: 3 }} data-testid="user-facts">
                <Fact label={t('users.col.id')}>{shown.id}</Fact>
                <Fact label={t('users.col.group')}>{shown.group}</Fact>
                <Fact label={t('users.col.balance')}>{shown.balance === null ? t('users.unlimited') : fmtBalance(shown.balance, locale)}</Fact>
                <Fact label={t('users.created')}>{fmtDate(shown.createdAt, locale)}</Fact>
                <Fact label={t('users.limitsShort')}>
                  {[shown.rpm, shown.tpm, shown.maxConcurrency].map((v) => (v === null ? t('users.none') : fmtInt(v, locale))).join(' / ')}
                </Fact>
                <Fact label={t('users.col.tokens')}>{fmtInt(shown.tokenCount, locale)}</Fact>
              </SimpleGrid>
              <Group gap="xs">{actions(shown)}</Group>
              <Tabs defaultValue="requests" keepMounted={false}>
                <Tabs.List>
                  <Tabs.Tab value="requests">{t('users.tab.requests')}</Tabs.Tab>
                  {!orgAdmin && <Tabs.Tab value="ledger">{t('users.tab.ledger')}</Tabs.Tab>}
                  <Tabs.Tab value="tokens">{t('users.tab.tokens')}</Tabs.Tab>
                </Tabs.List>
                <Tabs.Panel value="requests" pt="sm">
                  <Requests userId={userId} />
                </Tabs.Panel>
                {!orgAdmin && (
                  <Tabs.Panel value="ledger" pt="sm">
                    <Ledger userId={userId} />
                  </Tabs.Panel>
                )}
                <Tabs.Panel value="tokens" pt="sm">
                  <Tokens userId={userId} />
                </Tabs.Panel>
              </Tabs>
            </Stack>
          )
        }
      </QueryState>
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={onClose}>
          {t('users.detailBack')}
        </Button>
      </Group>
    </Drawer>
  );
}
