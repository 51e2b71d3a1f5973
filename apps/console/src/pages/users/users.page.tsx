import { ActionIcon, Alert, Anchor, Badge, Button, CloseButton, Group, Menu, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { fmtInt } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { ListPagination } from '../../layout/list-pagination';
import { QueryState } from '../../layout/query-state';
import { isOrgAdmin } from '../../layout/console-pages';
import { useSession } from '../../session/session.context';
import { DeleteUserModal, DisableUserModal, TopUpModal } from './user-actions.modals';
import { UserDetailDrawer } from './user-detail.drawer';
import type { UserRow } from './user-draft';
import { UserFormModal } from './user-form.modal';
import { fmtBalance, fmtDate } from './user-format';
import { filterFromParams, listQuery, pageCount, paramsFromFilter, userIdFromPath, type UsersFilter } from './users-query';

type Dialog = { kind: 'create' } | { kind: 'edit' | 'topup' | 'disable' | 'delete'; user: UserRow } | null;

/** The groups (name and owner) for the form and the filter (groups are few: one page of 500). */
export function useGroupNames() {
  const { api } = useSession();
  return useQuery({
    queryKey: ['groups', 'options'],
    queryFn: async () => (await api('groups.list', { query: { limit: 500 } })).data.map((g) => ({ name: g.name, orgId: g.orgId })),
  });
}

/** Top up, edit, and a menu with enable/disable and delete: the same in the table row and the detail drawer. */
function UserActions({ user, open }: { user: UserRow; open: (d: Dialog) => void }) {
  const { t } = useI18n();
  const { api, user: me } = useSession();
  const queryClient = useQueryClient();
  const enable = useMutation({
    mutationFn: () => api('users.update', { params: { id: String(user.id) }, body: { status: 'active' } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  return (
    <Group gap={6} wrap="nowrap">
      {/* Crediting is billing's, the platform's: an org admin has no top-up. */}
      {!isOrgAdmin(me) && (
        <Button size="compact-sm" variant="light" onClick={() => open({ kind: 'topup', user })} disabled={user.balance === null}>
          {t('users.topUp')}
        </Button>
      )}
      <Button size="compact-sm" variant="default" onClick={() => open({ kind: 'edit', user })}>
        {t('users.edit')}
      </Button>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon variant="subtle" color="gray" aria-label={t('users.more', { name: user.name })} loading={enable.isPending}>
            <span aria-hidden="true">⋯</span>
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          {user.status === 'disabled' ? (
            <Menu.Item onClick={() => enable.mutate()}>{t('users.enable')}</Menu.Item>
          ) : (
            <Menu.Item onClick={() => open({ kind: 'disable', user })}>{t('users.disable')}</Menu.Item>
          )}
          <Menu.Divider />
          <Menu.Item color="red" onClick={() => open({ kind: 'delete', user })}>
            {t('users.delete')}
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      {enable.isError && (
        <Text size="xs" c="red" role="alert">
          {enable.error.message}
        </Text>
      )}
    </Group>
  );
}

export function UsersPage() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const filter = filterFromParams(params);
  const detailId = userIdFromPath(useParams()['*']);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [searchText, setSearchText] = useState(filter.search);
  const [search] = useDebouncedValue(searchText.trim(), 300);

  const setFilter = (patch: Partial<UsersFilter>) => {
    const qs = paramsFromFilter({ ...filter, ...patch }).toString();
    void navigate(`/users${detailId ? `/${detailId}` : ''}${qs ? `?${qs}` : ''}`, { replace: true });
  };
  // A new search starts from page 1; the address follows the box once typing pauses.
  useEffect(() => {
    if (search !== filter.search) setFilter({ search, page: 1 });
    // Only a settled search moves the address (the filter itself is read fresh from it).
  }, [search]);

  const query = listQuery(filter);
  const users = useQuery({
    queryKey: ['users', 'list', query],
    queryFn: () => api('users.list', { query }),
    placeholderData: keepPreviousData,
  });
  const groups = useGroupNames();
  const qs = params.toString() ? `?${params.toString()}` : '';
  const close = () => setDialog(null);
  const done = (message: string) => {
    setNotice(message);
    setDialog(null);
    if (dialog?.kind === 'delete' && dialog.user.id === detailId) void navigate(`/users${qs}`);
  };
  const filtered = Boolean(filter.search || filter.group || filter.status);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.users')}</Title>
        <Button onClick={() => setDialog({ kind: 'create' })}>{t('users.create')}</Button>
      </Group>
      {notice && (
        <Alert color="green" role="status" withCloseButton onClose={() => setNotice(null)} data-testid="users-notice">
          {notice}
        </Alert>
      )}
      <Group gap="sm" align="flex-end">
        <TextInput
          label={t('users.search')}
          placeholder={t('users.searchHint')}
          value={searchText}
          onChange={(e) => setSearchText(e.currentTarget.value)}
          rightSection={searchText ? <CloseButton size="sm" aria-label={t('users.clearFilters')} onClick={() => setSearchText('')} /> : null}
          w={{ base: '100%', xs: 240 }}
        />
        <Select
          label={t('users.filterGroup')}
          placeholder={t('users.anyGroup')}
          // `default` too: an org admin's list has only its org's groups, yet its users may be in `default`.
          data={[...new Set(['default', ...(groups.data ?? []).map((g) => g.name)])].sort()}
          value={filter.group || null}
          onChange={(v) => setFilter({ group: v ?? '', page: 1 })}
          clearable
          searchable
          w={{ base: '100%', xs: 180 }}
        />
        <Select
          label={t('users.filterStatus')}
          placeholder={t('users.anyStatus')}
          data={[
            { value: 'active', label: t('users.status.active') },
            { value: 'disabled', label: t('users.status.disabled') },
          ]}
          value={filter.status || null}
          onChange={(v) => setFilter({ status: (v ?? '') as UsersFilter['status'], page: 1 })}
          clearable
          w={{ base: '100%', xs: 160 }}
        />
      </Group>
      <QueryState query={users}>
        {({ data, total }) => (
          <>
            <Text size="sm" c="dimmed" role="status">
              {t('users.count', { n: total })}
            </Text>
            {data.length === 0 ? (
              <Stack align="flex-start" gap="xs" data-testid="users-empty">
                <Text c="dimmed">{filtered ? t('users.noMatch') : t('users.empty')}</Text>
                {filtered && (
                  <Button
                    variant="subtle"
                    size="compact-sm"
                    onClick={() => {
                      setSearchText('');
                      void navigate('/users', { replace: true });
                    }}
                  >
                    {t('users.clearFilters')}
                  </Button>
                )}
              </Stack>
            ) : (
              <Table.ScrollContainer minWidth={860}>
                <Table striped highlightOnHover verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('users.col.id')}</Table.Th>
                      <Table.Th>{t('col.name')}</Table.Th>
                      <Table.Th>{t('users.col.group')}</Table.Th>
                      <Table.Th ta="right">{t('users.col.balance')}</Table.Th>
                      <Table.Th>{t('col.status')}</Table.Th>
                      <Table.Th ta="right">{t('users.col.tokens')}</Table.Th>
                      <Table.Th>{t('users.col.created')}</Table.Th>
                      <Table.Th>{t('col.actions')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.map((u) => (
                      <Table.Tr key={u.id} data-testid={`user-${u.name}`}>
                        <Table.Td>{u.id}</Table.Td>
                        <Table.Td>
                          <Group gap={6} wrap="nowrap">
                            <Anchor component={Link} to={`/users/${u.id}${qs}`} fw={500}>
                              {u.name}
                            </Anchor>
                            {u.builtin && (
                              <Badge size="xs" variant="outline">
                                {t('users.builtin')}
                              </Badge>
                            )}
                            {u.role !== 'user' && (
                              <Badge size="xs" variant="light" color={u.role === 'root' ? 'red' : 'blue'} data-testid="user-role">
                                {t(`users.role.${u.role}`)}
                              </Badge>
                            )}
                            {u.twoFactor && (
                              <Badge size="xs" variant="outline" color="teal">
                                2FA
                              </Badge>
                            )}
                          </Group>
                        </Table.Td>
                        <Table.Td>{u.group}</Table.Td>
                        <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }} data-testid="user-balance">
                          {u.balance === null ? (
                            <Badge variant="light" color="grape">
                              {t('users.unlimited')}
                            </Badge>
                          ) : (
                            fmtBalance(u.balance, locale)
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Badge color={u.status === 'active' ? 'green' : 'gray'} variant="light">
                            {u.status === 'active' || u.status === 'disabled' ? t(`users.status.${u.status}`) : u.status}
                          </Badge>
                        </Table.Td>
                        <Table.Td ta="right">{fmtInt(u.tokenCount, locale)}</Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{fmtDate(u.createdAt, locale)}</Table.Td>
                        <Table.Td>
                          <UserActions user={u} open={setDialog} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            {pageCount(total) > 1 && (
              <Group justify="center">
                <ListPagination total={pageCount(total)} value={filter.page} onChange={(page) => setFilter({ page })} />
              </Group>
            )}
          </>
        )}
      </QueryState>
      {detailId !== null && (
        <UserDetailDrawer
          userId={detailId}
          listed={users.data?.data.find((u) => u.id === detailId)}
          onClose={() => void navigate(`/users${qs}`)}
          actions={(u) => <UserActions user={u} open={setDialog} />}
        />
      )}
      {(dialog?.kind === 'create' || dialog?.kind === 'edit') && (
        <UserFormModal user={dialog.kind === 'edit' ? dialog.user : null} groups={groups.data ?? []} onClose={close} />
      )}
      {dialog?.kind === 'topup' && <TopUpModal user={dialog.user} onClose={close} />}
      {dialog?.kind === 'disable' && <DisableUserModal user={dialog.user} onClose={close} onDone={done} />}
      {dialog?.kind === 'delete' && <DeleteUserModal user={dialog.user} onClose={close} onDone={done} />}
    </Stack>
  );
}
