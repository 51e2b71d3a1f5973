import { Anchor, Badge, Button, Card, Collapse, Drawer, Group, Select, SimpleGrid, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { fmtInt } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { ListPagination } from '../../layout/list-pagination';
import type { MessageKey } from '../../i18n/messages';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import { changedFields, diffSnapshots, showValue, type ChangeKind } from './audit-diff';
import { AUDIT_ACTIONS, AUDIT_ENTITIES, auditQuery, pageCount, readAuditView, writeAuditView, type AuditView } from './audit-filters';
import { usePhone } from '../../layout/use-phone';

const PAGE_SIZE = 50;

interface AuditRecord {
  id: number;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  createdAt: string;
}

const ACTION_COLOR: Record<string, string> = { create: 'green', update: 'blue', delete: 'red' };
/** Light tints that keep text readable in both themes (Mantine's `-light` variables follow the colour scheme). */
const KIND_BG: Record<ChangeKind, string | undefined> = {
  changed: 'var(--mantine-color-yellow-light)',
  added: 'var(--mantine-color-green-light)',
  removed: 'var(--mantine-color-red-light)',
  same: undefined,
};
const KIND_COLOR: Record<ChangeKind, string> = { changed: 'yellow', added: 'green', removed: 'red', same: 'gray' };

const fmtTime = (iso: string, locale: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));

function useWords() {
  const { t } = useI18n();
  const known = (prefix: string, v: string, list: readonly string[]) => (list.includes(v) ? t(`${prefix}.${v}` as MessageKey) : v);
  return { action: (a: string) => known('audit.action', a, AUDIT_ACTIONS), entity: (e: string) => known('audit.entity', e, AUDIT_ENTITIES) };
}

function AuditFilters({ view, onChange }: { view: AuditView; onChange: (v: AuditView) => void }) {
  const { t } = useI18n();
  const words = useWords();
  const [actor, setActor] = useState(view.actor ?? '');
  const [entityId, setEntityId] = useState(view.entityId ?? '');
  useEffect(() => setActor(view.actor ?? ''), [view.actor]);
  useEffect(() => setEntityId(view.entityId ?? ''), [view.entityId]);
  // Any filter change starts again at page 1.
  const set = (patch: Partial<AuditView>) => onChange({ ...view, ...patch, page: 1 });
  const commitText = () => {
    const a = actor.trim() || undefined;
    const id = entityId.trim() || undefined;
    if (a !== view.actor || id !== view.entityId) set({ actor: a, entityId: id });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    commitText();
  };
  const count = [view.entity, view.action, view.actor, view.entityId].filter(Boolean).length;
  const phone = usePhone();
  const [open, setOpen] = useState(false);
  // On a phone the filters fold behind a button, so the list is on the first screen.
  return (
    <>
      <Button hiddenFrom="sm" variant="default" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {count ? `${t('audit.filters')} (${count})` : t('audit.filters')}
      </Button>
      <Collapse in={!phone || open}>
        <Card withBorder padding="sm" component="section" aria-label={t('audit.filters')}>
          <form onSubmit={submit}>
            <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }} spacing="sm">
              <Select
                label={t('audit.entity')}
                placeholder={t('audit.any')}
                data={AUDIT_ENTITIES.map((e) => ({ value: e, label: words.entity(e) }))}
                value={view.entity ?? null}
                onChange={(v) => set({ entity: (v ?? undefined) as AuditView['entity'] })}
                clearable
              />
              <Select
                label={t('audit.action')}
                placeholder={t('audit.any')}
                data={AUDIT_ACTIONS.map((a) => ({ value: a, label: words.action(a) }))}
                value={view.action ?? null}
                onChange={(v) => set({ action: (v ?? undefined) as AuditView['action'] })}
                clearable
              />
              <TextInput
                label={t('audit.actor')}
                description={t('audit.textHint')}
                value={actor}
                onChange={(e) => setActor(e.currentTarget.value)}
                onBlur={commitText}
              />
              <TextInput
                label={t('audit.entityId')}
                description={t('audit.textHint')}
                value={entityId}
                onChange={(e) => setEntityId(e.currentTarget.value)}
                onBlur={commitText}
              />
              <Group align="flex-end">
                <button type="submit" hidden />
                <Button variant="default" disabled={count === 0} onClick={() => onChange({ page: 1 })}>
                  {t('audit.clear')}
                </Button>
              </Group>
            </SimpleGrid>
          </form>
        </Card>
      </Collapse>
    </>
  );
}

function Summary({ e }: { e: AuditRecord }) {
  const { t } = useI18n();
  if (e.action !== 'update') return <Text c="dimmed">—</Text>;
  const fields = changedFields(e.before, e.after);
  if (fields.length === 0) return <Text c="dimmed">—</Text>;
  const shown = fields.slice(0, 4).join(', ');
  return (
    <Text size="sm" title={fields.join(', ')} truncate="end">
      {fields.length > 4 ? `${shown}, … (${t('audit.fieldsChanged', { n: fields.length })})` : shown}
    </Text>
  );
}

function AuditDetail({ entry, onClose }: { entry: AuditRecord | null; onClose: () => void }) {
  const { t, locale } = useI18n();
  const words = useWords();
  const [onlyChanged, setOnlyChanged] = useState(false);
  const rows = useMemo(() => (entry ? diffSnapshots(entry.before, entry.after) : []), [entry]);
  const shown = onlyChanged ? rows.filter((r) => r.kind !== 'same') : rows;
  return (
    <Drawer
      opened={entry !== null}
      onClose={onClose}
      position="right"
      size="xl"
      closeButtonProps={{ 'aria-label': t('audit.detailClose') }}
      title={
        entry && <Text fw={600}>{t('audit.detail', { action: words.action(entry.action), entity: words.entity(entry.entity), id: entry.entityId ?? '' })}</Text>
      }
    >
      {entry && (
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {fmtTime(entry.createdAt, locale)} · {t('audit.actor')}: {entry.actor}
          </Text>
          <Text size="xs" c="dimmed">
            {t('audit.secretsMasked')}
          </Text>
          {entry.action === 'update' && (
            <Switch label={t('audit.onlyChanged')} checked={onlyChanged} onChange={(e) => setOnlyChanged(e.currentTarget.checked)} />
          )}
          {shown.length === 0 ? (
            <Text c="dimmed">{t('audit.noFields')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={420}>
              {/* Fixed layout: long JSON values wrap inside their column instead of widening the table past the drawer. */}
              <Table withRowBorders verticalSpacing={6} layout="fixed" data-testid="audit-diff">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w="30%">{t('audit.field')}</Table.Th>
                    <Table.Th w="35%">{t('audit.before')}</Table.Th>
                    <Table.Th w="35%">{t('audit.after')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {shown.map((r) => (
                    <Table.Tr key={r.path} data-change={r.kind} style={{ background: KIND_BG[r.kind] }}>
                      <Table.Td>
                        <Group gap={6} align="center">
                          <Text size="sm" ff="monospace" fw={r.kind === 'same' ? 400 : 700} style={{ overflowWrap: 'anywhere' }}>
                            {r.path}
                          </Text>
                          {r.kind !== 'same' && (
                            <Badge size="xs" variant="filled" color={KIND_COLOR[r.kind]} style={{ flexShrink: 0 }}>
                              {t(`audit.kind.${r.kind}`)}
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Text
                          size="sm"
                          ff="monospace"
                          style={{ overflowWrap: 'anywhere' }}
                          td={r.kind === 'changed' || r.kind === 'removed' ? 'line-through' : undefined}
                          c={r.kind === 'same' ? 'dimmed' : undefined}
                        >
                          {showValue(r.before)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text
                          size="sm"
                          ff="monospace"
                          style={{ overflowWrap: 'anywhere' }}
                          fw={r.kind === 'changed' || r.kind === 'added' ? 700 : 400}
                          c={r.kind === 'same' ? 'dimmed' : undefined}
                        >
                          {showValue(r.after)}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      )}
    </Drawer>
  );
}

export function AuditPage() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const words = useWords();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const view = useMemo(() => readAuditView(search), [search]);
  const qs = writeAuditView(view).toString();
  const [selected, setSelected] = useState<AuditRecord | null>(null);
  const setView = (v: AuditView) => {
    const s = writeAuditView(v).toString();
    void navigate(s ? `/audit?${s}` : '/audit');
  };
  const audit = useQuery({
    queryKey: ['audit', qs],
    queryFn: async () => {
      const page = await api('audit.list', { query: auditQuery(view, PAGE_SIZE) });
      return { rows: page.data as unknown as AuditRecord[], total: page.total };
    },
    placeholderData: keepPreviousData,
  });
  const active = Boolean(view.entity || view.action || view.actor || view.entityId);
  return (
    <Stack>
      <Title order={2}>{t('nav.audit')}</Title>
      <AuditFilters view={view} onChange={setView} />
      <QueryState query={audit}>
        {({ rows, total }) =>
          rows.length === 0 ? (
            <Card withBorder padding="lg">
              <Text c="dimmed" ta="center" data-testid="audit-empty">
                {active ? t('audit.empty') : t('audit.emptyAll')}
              </Text>
            </Card>
          ) : (
            <>
              <Text size="sm" c="dimmed">
                {t('audit.count', { n: fmtInt(total, locale) })}
              </Text>
              <Table.ScrollContainer minWidth={820}>
                <Table striped highlightOnHover verticalSpacing="xs" data-testid="audit-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('col.time')}</Table.Th>
                      <Table.Th>{t('audit.actor')}</Table.Th>
                      <Table.Th>{t('audit.action')}</Table.Th>
                      <Table.Th>{t('audit.entity')}</Table.Th>
                      <Table.Th>{t('audit.entityId')}</Table.Th>
                      <Table.Th>{t('audit.col.changes')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((e) => {
                      const time = fmtTime(e.createdAt, locale);
                      return (
                        <Table.Tr key={e.id} data-testid={`audit-${e.id}`} style={{ cursor: 'pointer' }} onClick={() => setSelected(e)}>
                          <Table.Td style={{ whiteSpace: 'nowrap' }}>
                            <Anchor
                              component="button"
                              type="button"
                              size="sm"
                              aria-label={t('audit.open', { time, action: words.action(e.action), entity: words.entity(e.entity), id: e.entityId ?? '' })}
                              onClick={(ev) => {
                                ev.stopPropagation();
                                setSelected(e);
                              }}
                            >
                              {time}
                            </Anchor>
                          </Table.Td>
                          <Table.Td>{e.actor}</Table.Td>
                          <Table.Td>
                            <Badge variant="light" color={ACTION_COLOR[e.action] ?? 'gray'}>
                              {words.action(e.action)}
                            </Badge>
                          </Table.Td>
                          <Table.Td>{words.entity(e.entity)}</Table.Td>
                          <Table.Td>{e.entityId ?? '—'}</Table.Td>
                          <Table.Td maw={320}>
                            <Summary e={e} />
                          </Table.Td>
                        </Table.Tr>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {total > PAGE_SIZE && (
                <Group justify="center" component="nav" aria-label={t('audit.pages')}>
                  <ListPagination total={pageCount(total, PAGE_SIZE)} value={view.page} onChange={(page) => setView({ ...view, page })} />
                </Group>
              )}
            </>
          )
        }
      </QueryState>
      <AuditDetail entry={selected} onClose={() => setSelected(null)} />
    </Stack>
  );
}
