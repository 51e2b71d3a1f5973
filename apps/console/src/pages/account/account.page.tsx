import { Alert, Badge, Button, Code, CopyButton, Group, Paper, SimpleGrid, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { fmtDateTime, fmtInt, fmtUsd } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError } from '../../layout/form-actions';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import { TopupPanel } from './topup.panel';
import { PasskeysPanel } from '../passkeys/passkeys.panel';
import { PasswordPanel } from './password.panel';
import { SessionsPanel } from './sessions.panel';
import { TwoFactorPanel } from './two-factor.panel';

/** The tabs and the path each is bookmarked under. */
const TABS = [
  { value: 'overview', path: '/account' },
  { value: 'tokens', path: '/account/tokens' },
  { value: 'logs', path: '/account/logs' },
  { value: 'security', path: '/account/security' },
  { value: 'topup', path: '/account/topup' },
] as const;

/** The signed-in user's own account: overview with usage, its tokens, its request logs, security (password, 2FA, passkeys, sessions). Only /api/me/* is called. */
export function AccountPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const me = useQuery({ queryKey: ['me'], queryFn: () => api('me.get') });
  const tab = TABS.find((x) => x.path === pathname.replace(/\/$/, ''))?.value ?? 'overview';
  return (
    <Stack>
      <Title order={2}>{t('account.title')}</Title>
      <Tabs value={tab} onChange={(v) => void navigate(TABS.find((x) => x.value === v)?.path ?? '/account')}>
        <Tabs.List>
          {TABS.map((x) => (
            <Tabs.Tab key={x.value} value={x.value}>
              {t(`account.tab.${x.value}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <QueryState query={me}>
        {(m) =>
          tab === 'overview' ? (
            <Overview me={m} />
          ) : tab === 'tokens' ? (
            <MyTokens count={m.tokens.count} max={m.tokens.max} />
          ) : tab === 'logs' ? (
            <MyLogs />
          ) : tab === 'topup' ? (
            <TopupPanel />
          ) : (
            <Stack>
              <PasswordPanel me={m} />
              <TwoFactorPanel me={m} />
              <PasskeysPanel />
              <SessionsPanel />
            </Stack>
          )
        }
      </QueryState>
    </Stack>
  );
}

function Overview({ me }: { me: { name: string; role: string; group: string; balance: number | null } }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const usage = useQuery({ queryKey: ['me', 'usage'], queryFn: () => api('me.usage', { query: { days: 7 } }) });
  const stat = (label: string, value: string, testId?: string) => (
    <Paper withBorder p="md">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="lg" fw={600} data-testid={testId}>
        {value}
      </Text>
    </Paper>
  );
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        {stat(t('account.role'), `${me.name} · ${me.role}`, 'account-role')}
        {stat(t('account.group'), me.group)}
        {stat(t('account.balance'), me.balance === null ? t('account.unlimited') : fmtUsd(me.balance, locale), 'account-balance')}
      </SimpleGrid>
      <QueryState query={usage}>
        {(u) => (
          <Stack gap="xs">
            <Title order={3} size="h5">
              {t('account.usage', { days: u.days })}
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              {stat(t('account.requests'), fmtInt(u.totals.requests, locale), 'usage-requests')}
              {stat(t('account.cost'), fmtUsd(u.totals.cost, locale))}
              {stat(t('account.tokensUsed'), `${fmtInt(u.totals.promptTokens, locale)} / ${fmtInt(u.totals.completionTokens, locale)}`)}
            </SimpleGrid>
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}

function MyTokens({ count, max }: { count: number; max: number }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: ['me', 'tokens'], queryFn: () => api('me.tokens.list') });
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['me'] });
  const create = useMutation({
    mutationFn: () => api('me.tokens.create', { body: { name: name.trim() || 'default' } }),
    onSuccess: (tk) => {
      setCreated(tk.key);
      setName('');
      void refresh();
    },
  });
  const remove = useMutation({ mutationFn: (id: number) => api('me.tokens.delete', { params: { id } }), onSuccess: () => void refresh() });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Stack>
      <Text size="sm" data-testid="token-count">
        {t('account.tokens.count', { count, max })}
      </Text>
      <form onSubmit={submit}>
        <Group align="flex-end">
          <TextInput label={t('account.tokens.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Button type="submit" loading={create.isPending} disabled={count >= max}>
            {t('account.tokens.create')}
          </Button>
        </Group>
      </form>
      <MutationError error={create.error ?? remove.error} />
      {created && (
        <Alert color="green" role="status" withCloseButton onClose={() => setCreated(null)}>
          <Text size="sm">{t('account.tokens.created')}</Text>
          <Group gap="xs">
            <Code data-testid="new-token-key">{created}</Code>
            <CopyButton value={created}>
              {({ copy }) => (
                <Button size="compact-xs" variant="light" onClick={copy}>
                  ⧉
                </Button>
              )}
            </CopyButton>
          </Group>
        </Alert>
      )}
      <QueryState query={tokens}>
        {(list) => (
          <Table.ScrollContainer minWidth={480}>
            <Table data-testid="my-tokens">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('col.name')}</Table.Th>
                  <Table.Th>{t('account.tokens.key')}</Table.Th>
                  <Table.Th>{t('col.status')}</Table.Th>
                  <Table.Th>{t('col.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.map((tk) => (
                  <Table.Tr key={tk.id}>
                    <Table.Td>{tk.name}</Table.Td>
                    <Table.Td>
                      <Code>{tk.key}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={tk.status === 'active' ? 'green' : 'gray'}>
                        {tk.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        color="red"
                        variant="subtle"
                        aria-label={`${t('account.tokens.delete')} ${tk.name}`}
                        onClick={() => remove.mutate(tk.id)}
                      >
                        {t('account.tokens.delete')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </Stack>
  );
}

function MyLogs() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const logs = useQuery({ queryKey: ['me', 'logs'], queryFn: () => api('me.logs', { query: { limit: 50 } }) });
  return (
    <QueryState query={logs}>
      {(page) =>
        page.data.length === 0 ? (
          <Text c="dimmed">{t('account.logs.none')}</Text>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table data-testid="my-logs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('col.time')}</Table.Th>
                  <Table.Th>{t('col.model')}</Table.Th>
                  <Table.Th>{t('col.status')}</Table.Th>
                  <Table.Th>{t('account.cost')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.data.map((l) => (
                  <Table.Tr key={l.requestId}>
                    <Table.Td>{fmtDateTime(l.createdAt, locale)}</Table.Td>
                    <Table.Td>{l.model}</Table.Td>
                    <Table.Td>{l.status}</Table.Td>
                    <Table.Td>{typeof l.cost === 'number' ? fmtUsd(l.cost, locale) : '—'}</Table.Td>
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
