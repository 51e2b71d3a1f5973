import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Modal,
  NumberInput,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type CSSProperties, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { fmtDateTime, fmtInt, fmtUsd } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { BudgetFieldset } from '../budgets/budget.fieldset';
import { MutationError } from '../../layout/form-actions';
import { ListPagination } from '../../layout/list-pagination';
import type { MessageKey } from '../../i18n/messages';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import {
  draftToCreateBody,
  draftToUpdateBody,
  emptyTokenDraft,
  fieldOfError,
  quotaPercent,
  tokenToDraft,
  type TokenDraft,
  type TokenView,
} from './token-draft';

const PAGE_SIZE = 20;
const STATUSES = ['active', 'disabled', 'exhausted', 'expired'] as const;
const STATUS_COLOR: Record<string, string> = { active: 'green', disabled: 'gray', exhausted: 'orange', expired: 'red' };

/** Users and groups for the pickers and for showing a user's name; 500 is the API's page maximum. */
function usePeople() {
  const { api } = useSession();
  const users = useQuery({ queryKey: ['users', 'all'], queryFn: () => api('users.list', { query: { limit: 500 } }) });
  const groups = useQuery({ queryKey: ['groups', 'all'], queryFn: () => api('groups.list', { query: { limit: 500 } }) });
  const userName = (id: number) => users.data?.data.find((u) => u.id === id)?.name ?? `#${id}`;
  return {
    userOptions: (users.data?.data ?? []).map((u) => ({ value: String(u.id), label: `${u.name} (#${u.id})` })),
    // `default` always: an org admin's list has only its org's groups, and `default` is assignable too.
    groupOptions: [...new Set(['default', ...(groups.data?.data ?? []).map((g) => g.name)])].sort(),
    userName,
  };
}

function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const known = (STATUSES as readonly string[]).includes(status);
  return (
    <Badge color={STATUS_COLOR[status] ?? 'yellow'} variant="light" style={{ minWidth: 'max-content' }}>
      {known ? t(`tokens.status.${status}` as MessageKey) : status}
    </Badge>
  );
}

/** A list cell that shows the first entries and the rest in a tooltip, so a long allow-list keeps the row short. */
function ListCell({ items, empty }: { items: string[] | null; empty: string }) {
  const { t } = useI18n();
  if (!items || items.length === 0)
    return (
      <Text size="xs" c="dimmed">
        {empty}
      </Text>
    );
  const shown = items.slice(0, 2);
  return (
    <Stack gap={0}>
      {shown.map((m) => (
        <Text key={m} size="xs" ff="monospace" truncate="end" maw={150} title={m}>
          {m}
        </Text>
      ))}
      {items.length > shown.length && (
        <Tooltip label={items.join(', ')} multiline maw={320}>
          <Text size="xs" c="dimmed" tabIndex={0} style={{ cursor: 'help' }}>
            {t('tokens.moreItems', { n: items.length - shown.length })}
          </Text>
        </Tooltip>
      )}
    </Stack>
  );
}

/** The actions stay in view while the wide table scrolls sideways (laptops, phones). */
const STICKY: CSSProperties = {
  position: 'sticky',
  right: 0,
  background: 'var(--mantine-color-body)',
  boxShadow: '-6px 0 6px -6px rgba(0, 0, 0, 0.25)',
};
const NOWRAP: CSSProperties = { whiteSpace: 'nowrap' };

function TokenForm({ token, onDone }: { token: TokenView | null; onDone: (created: TokenView | null) => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const { userOptions, groupOptions } = usePeople();
  const [draft, setDraft] = useState<TokenDraft>(() => (token ? tokenToDraft(token) : emptyTokenDraft));
  const set = <K extends keyof TokenDraft>(k: K, v: TokenDraft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const save = useMutation({
    mutationFn: () =>
      token
        ? api('tokens.update', { params: { id: String(token.id) }, body: draftToUpdateBody(draft) })
        : api('tokens.create', { body: draftToCreateBody(draft) }),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['tokens'] });
      onDone(token ? null : saved);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  // The API names the field it refuses ("quota: must not be negative"): show it under that input as well.
  const bad = save.isError ? fieldOfError(save.error.message) : null;
  const errorOf = (field: keyof TokenDraft) => (bad === field ? save.error?.message : undefined);
  const limit = (field: 'rpm' | 'tpm' | 'maxConcurrency', label: MessageKey) => (
    <NumberInput
      label={t(label)}
      description={t('tokens.field.limitHint')}
      value={draft[field]}
      onChange={(v) => set(field, v)}
      allowDecimal={false}
      clampBehavior="none"
      thousandSeparator
      error={errorOf(field)}
    />
  );
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label={t('tokens.field.name')}
          value={draft.name}
          onChange={(e) => set('name', e.currentTarget.value)}
          required
          error={errorOf('name')}
          data-autofocus
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label={t('tokens.field.user')}
            description={t('tokens.field.userHint')}
            placeholder={t('tokens.field.userPlaceholder')}
            data={userOptions}
            value={draft.userId}
            onChange={(v) => set('userId', v)}
            searchable
            clearable
            disabled={token !== null}
            error={errorOf('userId')}
          />
          <Select
            label={t('tokens.field.group')}
            description={t('tokens.field.groupHint')}
            placeholder={t('tokens.userGroup')}
            data={groupOptions}
            value={draft.group}
            onChange={(v) => set('group', v)}
            searchable
            clearable
            error={errorOf('group')}
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Stack gap={6}>
            <Checkbox label={t('tokens.field.neverExpires')} checked={draft.neverExpires} onChange={(e) => set('neverExpires', e.currentTarget.checked)} />
            {/* The browser's own date-time picker: keyboard usable, localised, no date library in the bundle. */}
            <TextInput
              type="datetime-local"
              label={t('tokens.field.expiresAt')}
              description={t('tokens.field.expiresAtHint')}
              value={draft.expiresAt}
              onChange={(e) => set('expiresAt', e.currentTarget.value)}
              disabled={draft.neverExpires}
              required={!draft.neverExpires}
              error={errorOf('expiresAt')}
            />
          </Stack>
          <Stack gap={6}>
            <Checkbox
              label={t('tokens.field.unlimitedQuota')}
              checked={draft.unlimitedQuota}
              onChange={(e) => set('unlimitedQuota', e.currentTarget.checked)}
            />
            <NumberInput
              label={t('tokens.field.quota')}
              prefix="$"
              decimalScale={6}
              thousandSeparator
              clampBehavior="none"
              value={draft.quota}
              onChange={(v) => set('quota', v)}
              disabled={draft.unlimitedQuota}
              error={errorOf('quota')}
            />
          </Stack>
        </SimpleGrid>
        <TagsInput
          label={t('tokens.field.models')}
          description={t('tokens.field.modelsHint')}
          value={draft.models}
          onChange={(v) => set('models', v)}
          clearable
          error={errorOf('models')}
        />
        <TagsInput
          label={t('tokens.field.allowIps')}
          description={t('tokens.field.allowIpsHint')}
          value={draft.allowIps}
          onChange={(v) => set('allowIps', v)}
          clearable
          error={errorOf('allowIps')}
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          {limit('rpm', 'tokens.field.rpm')}
          {limit('tpm', 'tokens.field.tpm')}
          {limit('maxConcurrency', 'tokens.field.maxConcurrency')}
        </SimpleGrid>
        <Checkbox label={t('tokens.field.crossGroupRetry')} checked={draft.crossGroupRetry} onChange={(e) => set('crossGroupRetry', e.currentTarget.checked)} />
        <BudgetFieldset draft={draft.budget} onChange={(b) => set('budget', b)} current={token?.budget} />
        <Checkbox label={t('tokens.field.logBodies')} checked={draft.logBodies} onChange={(e) => set('logBodies', e.currentTarget.checked)} />
        {save.isError && (
          <Alert color="red" role="alert" data-testid="token-form-error">
            {save.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => onDone(null)}>
            {t('tokens.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {token ? t('tokens.save') : t('tokens.saveCreate')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The full key, the one time the API answers it. Closing needs a deliberate click: a stray Escape would lose it. */
function NewKeyModal({ token, onClose }: { token: TokenView | null; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Modal opened={token !== null} onClose={onClose} title={t('tokens.keyTitle')} closeOnClickOutside={false} closeOnEscape={false} size="lg">
      {token && (
        <Stack>
          <Alert color="yellow" role="alert">
            {t('tokens.keyWarning')}
          </Alert>
          <Code
            block
            aria-label={t('tokens.keyLabel', { name: token.name })}
            data-testid="new-token-key"
            style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}
          >
            {token.key}
          </Code>
          <Group justify="space-between">
            <CopyButton value={token.key}>
              {({ copied, copy }) => (
                <Button variant="light" color={copied ? 'teal' : undefined} onClick={copy}>
                  {copied ? t('tokens.copied') : t('tokens.copy')}
                </Button>
              )}
            </CopyButton>
            <Button onClick={onClose}>{t('tokens.keyDone')}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function RevokeModal({ token, onClose }: { token: TokenView | null; onClose: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: number) => api('tokens.delete', { params: { id: String(id) } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['tokens'] });
      revoke.reset();
      onClose();
    },
  });
  // The next token to revoke starts without the last one's error.
  const close = () => {
    revoke.reset();
    onClose();
  };
  return (
    <Modal opened={token !== null} onClose={close} title={token ? t('tokens.revokeTitle', { name: token.name }) : ''}>
      {token && (
        <Stack>
          <Text size="sm">{t('tokens.revokeBody')}</Text>
          <MutationError error={revoke.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('tokens.cancel')}
            </Button>
            <Button color="red" loading={revoke.isPending} onClick={() => revoke.mutate(token.id)}>
              {t('tokens.revokeConfirm')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function TokenRow({ tk, userName, onEdit, onRevoke }: { tk: TokenView; userName: (id: number) => string; onEdit: () => void; onRevoke: () => void }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const toggle = useMutation({
    mutationFn: (on: boolean) => api('tokens.update', { params: { id: String(tk.id) }, body: { status: on ? 'active' : 'disabled' } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['tokens'] }),
  });
  const pct = quotaPercent(tk.usedQuota, tk.quota);
  const lim = (v: number | null) => (v === null ? '—' : fmtInt(v, locale));
  return (
    <Table.Tr data-testid={`token-${tk.name}`}>
      <Table.Td style={NOWRAP}>
        <Text size="sm" fw={500}>
          {tk.name}
        </Text>
        <Text size="xs" c="dimmed" ff="monospace">
          {tk.key}
        </Text>
      </Table.Td>
      <Table.Td style={NOWRAP}>
        <Text size="sm">{userName(tk.userId)}</Text>
        <Text size="xs" c="dimmed">
          {tk.group ?? t('tokens.userGroup')}
        </Text>
      </Table.Td>
      <Table.Td>
        <StatusBadge status={tk.status} />
      </Table.Td>
      <Table.Td miw={130}>
        <Text size="xs" style={NOWRAP}>
          {fmtUsd(tk.usedQuota, locale)} / {tk.quota === null ? t('tokens.unlimited') : fmtUsd(tk.quota, locale)}
        </Text>
        {pct !== null && <Progress value={pct} size="sm" mt={4} color={pct >= 90 ? 'red' : pct >= 70 ? 'orange' : 'blue'} aria-label={t('tokens.col.quota')} />}
      </Table.Td>
      <Table.Td>
        <Text size="xs" style={NOWRAP}>
          {t('tokens.limitRpm', { v: lim(tk.rpm) })}
          <br />
          {t('tokens.limitTpm', { v: lim(tk.tpm) })}
          <br />
          {t('tokens.limitConc', { v: lim(tk.maxConcurrency) })}
        </Text>
      </Table.Td>
      <Table.Td>
        <ListCell items={tk.models} empty={t('tokens.allModels')} />
      </Table.Td>
      <Table.Td>
        <ListCell items={tk.allowIps} empty={t('tokens.anyIp')} />
      </Table.Td>
      <Table.Td>
        <Text size="xs">{tk.expiresAt ? fmtDateTime(tk.expiresAt, locale) : t('tokens.never')}</Text>
      </Table.Td>
      <Table.Td style={NOWRAP}>
        <Text size="xs" title={fmtDateTime(tk.createdAt, locale)}>
          {new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(tk.createdAt))}
        </Text>
      </Table.Td>
      <Table.Td style={STICKY}>
        <Group gap={6} wrap="nowrap">
          <Switch
            checked={tk.status !== 'disabled'}
            disabled={toggle.isPending}
            onChange={(e) => toggle.mutate(e.currentTarget.checked)}
            aria-label={t('tokens.enable', { name: tk.name })}
          />
          <Button size="compact-xs" variant="light" onClick={onEdit} aria-label={t('tokens.editLabel', { name: tk.name })}>
            {t('tokens.edit')}
          </Button>
          <Button size="compact-xs" variant="light" color="red" onClick={onRevoke} aria-label={t('tokens.revokeLabel', { name: tk.name })}>
            {t('tokens.revoke')}
          </Button>
        </Group>
        {toggle.isError && (
          <Text size="xs" c="red" role="status">
            {toggle.error.message}
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

export function TokensPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const { userOptions, userName } = usePeople();
  // Filters and page live in the query string, so a filtered list can be bookmarked and shared.
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('search') ?? '');
  const [debouncedSearch] = useDebouncedValue(search.trim(), 300);
  const status = params.get('status');
  const userId = params.get('userId');
  const page = Math.max(1, Number(params.get('page')) || 1);
  const update = (changes: Record<string, string | null>) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        for (const [k, v] of Object.entries(changes))
          if (v) next.set(k, v);
          else next.delete(k);
        return next;
      },
      { replace: true },
    );
  // Only a settled search goes into the URL (and back to page 1), not every keystroke.
  useEffect(() => {
    if ((params.get('search') ?? '') !== debouncedSearch) update({ search: debouncedSearch || null, page: null });
  }, [debouncedSearch]);

  const tokens = useQuery({
    queryKey: ['tokens', { search: debouncedSearch, status, userId, page }],
    queryFn: () =>
      api('tokens.list', {
        query: {
          limit: PAGE_SIZE,
          offset: (page - 1) * PAGE_SIZE,
          search: debouncedSearch || undefined,
          status: (status ?? undefined) as (typeof STATUSES)[number] | undefined,
          userId: userId ? Number(userId) : undefined,
        },
      }),
    placeholderData: keepPreviousData,
  });
  const [form, setForm] = useState<{ token: TokenView | null } | null>(null);
  const [created, setCreated] = useState<TokenView | null>(null);
  const [revoking, setRevoking] = useState<TokenView | null>(null);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.tokens')}</Title>
        <Button onClick={() => setForm({ token: null })}>{t('tokens.create')}</Button>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput
          label={t('tokens.search')}
          placeholder={t('tokens.searchHint')}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          type="search"
        />
        <Select
          label={t('tokens.filterStatus')}
          placeholder={t('tokens.anyStatus')}
          data={STATUSES.map((s) => ({ value: s, label: t(`tokens.status.${s}`) }))}
          value={status}
          onChange={(v) => update({ status: v, page: null })}
          clearable
        />
        <Select
          label={t('tokens.filterUser')}
          placeholder={t('tokens.anyUser')}
          data={userOptions}
          value={userId}
          onChange={(v) => update({ userId: v, page: null })}
          searchable
          clearable
        />
      </SimpleGrid>
      <QueryState query={tokens}>
        {({ data, total }) => (
          <>
            <Text size="sm" c="dimmed" role="status">
              {t('tokens.count', { n: total })}
            </Text>
            {data.length === 0 ? (
              <Alert variant="light" color="gray">
                {t('tokens.empty')}
              </Alert>
            ) : (
              <Table.ScrollContainer minWidth={1000}>
                <Table highlightOnHover verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('col.name')}</Table.Th>
                      <Table.Th>{t('tokens.col.userGroup')}</Table.Th>
                      <Table.Th>{t('col.status')}</Table.Th>
                      <Table.Th>{t('tokens.col.quota')}</Table.Th>
                      <Table.Th>{t('tokens.col.limits')}</Table.Th>
                      <Table.Th>{t('tokens.col.models')}</Table.Th>
                      <Table.Th>{t('tokens.col.allowIps')}</Table.Th>
                      <Table.Th>{t('tokens.col.expires')}</Table.Th>
                      <Table.Th>{t('tokens.col.created')}</Table.Th>
                      <Table.Th style={STICKY}>{t('col.actions')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.map((tk) => (
                      <TokenRow key={tk.id} tk={tk} userName={userName} onEdit={() => setForm({ token: tk })} onRevoke={() => setRevoking(tk)} />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            {total > PAGE_SIZE && (
              <Group justify="center">
                <ListPagination total={Math.ceil(total / PAGE_SIZE)} value={page} onChange={(p) => update({ page: p > 1 ? String(p) : null })} />
              </Group>
            )}
          </>
        )}
      </QueryState>
      <Modal
        opened={form !== null}
        onClose={() => setForm(null)}
        title={form?.token ? t('tokens.editTitle', { name: form.token.name }) : t('tokens.createTitle')}
        size="lg"
      >
        {form && (
          <TokenForm
            key={form.token?.id ?? 'new'}
            token={form.token}
            onDone={(saved) => {
              setForm(null);
              setCreated(saved);
            }}
          />
        )}
      </Modal>
      <NewKeyModal token={created} onClose={() => setCreated(null)} />
      <RevokeModal token={revoking} onClose={() => setRevoking(null)} />
    </Stack>
  );
}
