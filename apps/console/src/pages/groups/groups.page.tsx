import { Alert, Anchor, Button, Checkbox, Fieldset, Group, Modal, NumberInput, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { fmtInt } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError } from '../../layout/form-actions';
import { isOrgAdmin } from '../../layout/console-pages';
import { ListPagination } from '../../layout/list-pagination';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import { pageCount } from '../users/users-query';
import { BudgetFieldset } from '../budgets/budget.fieldset';
import { OrgOwnerSelect } from '../orgs/org-owner.select';
import { draftFromGroup, emptyGroupDraft, groupDraftToCreateBody, groupDraftToUpdateBody, type GroupDraft, type GroupRow } from './group-draft';

const PAGE_SIZE = 50;

/** Create (no `group`) or edit a group; rendered only while open. */
function GroupFormModal({ group, onClose, onSaved }: { group: GroupRow | null; onClose: () => void; onSaved: (message: string) => void }) {
  const { t } = useI18n();
  const { api, user: me } = useSession();
  const queryClient = useQueryClient();
  // The ratio and the owner are platform decisions: an org admin's form has neither.
  const orgAdmin = isOrgAdmin(me);
  const [initial] = useState<GroupDraft>(() => (group ? draftFromGroup(group) : emptyGroupDraft));
  const [draft, setDraft] = useState<GroupDraft>(initial);
  const [unchanged, setUnchanged] = useState(false);
  const set = <K extends keyof GroupDraft>(k: K, v: GroupDraft[K]) => {
    setUnchanged(false);
    setDraft((d) => ({ ...d, [k]: v }));
  };
  const save = useMutation({
    mutationFn: async () => {
      if (!group) return api('groups.create', { body: groupDraftToCreateBody(draft) });
      const body = groupDraftToUpdateBody(initial, draft);
      if (Object.keys(body).length === 0) return null;
      return api('groups.update', { params: { name: group.name }, body });
    },
    onSuccess: async (saved) => {
      if (saved === null) return setUnchanged(true);
      await queryClient.invalidateQueries({ queryKey: ['groups'] });
      onSaved(group ? t('groups.saved', { name: saved.name }) : t('groups.createdNotice', { name: saved.name }));
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Modal opened onClose={onClose} title={group ? t('groups.editTitle', { name: group.name }) : t('groups.createTitle')} size="lg">
      <form onSubmit={submit}>
        <Stack>
          {!group && (
            <TextInput
              label={t('groups.name')}
              description={t('groups.nameHint')}
              value={draft.name}
              onChange={(e) => set('name', e.currentTarget.value)}
              required
              data-autofocus
            />
          )}
          {!orgAdmin && (
            <NumberInput
              label={t('groups.priceRatio')}
              description={t('groups.priceRatioHint')}
              prefix="×"
              decimalScale={6}
              value={draft.priceRatio}
              onChange={(v) => set('priceRatio', v)}
              data-autofocus={group ? true : undefined}
            />
          )}
          <OrgOwnerSelect value={draft.orgId} onChange={(v) => set('orgId', v)} description={t('groups.orgHint')} />
          <Fieldset legend={t('groups.limits')} variant="filled">
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <NumberInput label={t('groups.rpm')} value={draft.rpm} onChange={(v) => set('rpm', v)} allowDecimal={false} thousandSeparator="," />
              <NumberInput label={t('groups.tpm')} value={draft.tpm} onChange={(v) => set('tpm', v)} allowDecimal={false} thousandSeparator="," />
              <NumberInput label={t('groups.maxConcurrency')} value={draft.maxConcurrency} onChange={(v) => set('maxConcurrency', v)} allowDecimal={false} />
            </SimpleGrid>
          </Fieldset>
          <BudgetFieldset draft={draft.budget} onChange={(b) => set('budget', b)} current={group?.budget} />
          <Checkbox label={t('groups.logBodies')} checked={draft.logBodies} onChange={(e) => set('logBodies', e.currentTarget.checked)} />
          <MutationError error={save.error} />
          {unchanged && (
            <Text size="sm" c="dimmed" role="status">
              {t('groups.noChanges')}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('groups.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {group ? t('groups.save') : t('groups.saveCreate')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function GroupsPage() {
  const { t, locale } = useI18n();
  const { api, user: me } = useSession();
  // An org admin edits its org's groups (limits, budget, body logging) but neither creates them nor sees their ratio.
  const orgAdmin = isOrgAdmin(me);
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Math.trunc(Number(params.get('page'))) || 1);
  const [editing, setEditing] = useState<GroupRow | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const groups = useQuery({
    queryKey: ['groups', 'list', page],
    queryFn: () => api('groups.list', { query: { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } }),
    placeholderData: keepPreviousData,
  });
  const limit = (v: number | null) =>
    v === null ? (
      <Text span c="dimmed" size="sm">
        {t('groups.noLimit')}
      </Text>
    ) : (
      fmtInt(v, locale)
    );
  const ratio = (v: number) => `×${new Intl.NumberFormat(locale, { maximumFractionDigits: 6 }).format(v)}`;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.groups')}</Title>
        {!orgAdmin && <Button onClick={() => setEditing('new')}>{t('groups.create')}</Button>}
      </Group>
      <Text size="sm" c="dimmed">
        {orgAdmin ? t('groups.introOrg') : t('groups.intro')}
      </Text>
      {notice && (
        <Alert color="green" role="status" withCloseButton onClose={() => setNotice(null)} data-testid="groups-notice">
          {notice}
        </Alert>
      )}
      <QueryState query={groups}>
        {({ data, total }) => (
          <>
            <Text size="sm" c="dimmed">
              {t('groups.count', { n: total })}
            </Text>
            {data.length === 0 ? (
              <Text c="dimmed">{t('groups.empty')}</Text>
            ) : (
              <Table.ScrollContainer minWidth={760}>
                <Table striped highlightOnHover verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('col.name')}</Table.Th>
                      {!orgAdmin && <Table.Th ta="right">{t('groups.col.priceRatio')}</Table.Th>}
                      <Table.Th ta="right">{t('groups.col.rpm')}</Table.Th>
                      <Table.Th ta="right">{t('groups.col.tpm')}</Table.Th>
                      <Table.Th ta="right">{t('groups.col.concurrency')}</Table.Th>
                      <Table.Th ta="right">{t('groups.col.users')}</Table.Th>
                      <Table.Th ta="right">{t('groups.col.tokens')}</Table.Th>
                      <Table.Th>{t('col.actions')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.map((g) => (
                      <Table.Tr key={g.name} data-testid={`group-${g.name}`}>
                        <Table.Td fw={500}>{g.name}</Table.Td>
                        {!orgAdmin && (
                          <Table.Td ta="right" data-testid="group-ratio">
                            {ratio(g.priceRatio)}
                          </Table.Td>
                        )}
                        <Table.Td ta="right" data-testid="group-rpm">
                          {limit(g.rpm)}
                        </Table.Td>
                        <Table.Td ta="right">{limit(g.tpm)}</Table.Td>
                        <Table.Td ta="right">{limit(g.maxConcurrency)}</Table.Td>
                        <Table.Td ta="right">
                          <Anchor
                            component={Link}
                            to={`/users?group=${encodeURIComponent(g.name)}`}
                            aria-label={`${fmtInt(g.userCount, locale)} · ${t('groups.usersOf', { name: g.name })}`}
                          >
                            {fmtInt(g.userCount, locale)}
                          </Anchor>
                        </Table.Td>
                        <Table.Td ta="right">{fmtInt(g.tokenCount, locale)}</Table.Td>
                        <Table.Td>
                          <Button size="compact-sm" variant="default" onClick={() => setEditing(g)} aria-label={t('groups.editOf', { name: g.name })}>
                            {t('groups.edit')}
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            {pageCount(total, PAGE_SIZE) > 1 && (
              <Group justify="center">
                <ListPagination
                  total={pageCount(total, PAGE_SIZE)}
                  value={page}
                  onChange={(p) => setParams(p > 1 ? { page: String(p) } : {}, { replace: true })}
                />
              </Group>
            )}
          </>
        )}
      </QueryState>
      {editing && (
        <GroupFormModal
          group={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(m) => {
            setNotice(m);
            setEditing(null);
          }}
        />
      )}
    </Stack>
  );
}
