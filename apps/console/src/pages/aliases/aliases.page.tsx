import {
  ActionIcon,
  Autocomplete,
  Badge,
  Button,
  Code,
  Group,
  Input,
  Modal,
  NumberInput,
  Paper,
  Progress,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import type { Answer, CallArgs } from '../../api/admin-client';
import type { ChannelRow } from '../../api/console-views';
import { fmtInt, fmtPercent } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError, FormActions } from '../../layout/form-actions';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import { modelPattern } from '../prices/model-coverage';
import { aliasDraftToBody, aliasToDraft, emptyAliasDraft, move, readTargets, shares, targetRow, type AliasDraft, type TargetRow } from './alias-draft';
import { usePhone } from '../../layout/use-phone';

type AliasRow = Answer<'aliases.list'>['data'][number];

/** Whether an enabled channel serves `model` (by name or wildcard), so a target that would fail can be pointed out. */
function servedBy(channels: readonly ChannelRow[]) {
  const matchers = channels.filter((c) => c.enabled).flatMap((c) => c.models.map(modelPattern));
  return (model: string) => matchers.some((m) => m.test(model));
}

function ShareBar({ share, label }: { share: number; label: string }) {
  return <Progress value={share * 100} size="sm" w={80} aria-label={label} />;
}

function TargetsEditor({ rows, onChange, models }: { rows: TargetRow[]; onChange: (rows: TargetRow[]) => void; models: string[] }) {
  const { t, locale } = useI18n();
  const split = shares(rows.map((r) => r.weight));
  const update = (key: number, patch: Partial<TargetRow>) => onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <Input.Wrapper label={t('aliases.targets')} description={t('aliases.targetsHint')}>
      <Stack gap="xs" mt={6}>
        {rows.map((r, i) => (
          <Group key={r.key} gap="xs" wrap="nowrap" align="center" data-testid={`target-row-${i + 1}`}>
            <Autocomplete
              aria-label={t('aliases.targetModel', { n: i + 1 })}
              placeholder={t('col.model')}
              value={r.model}
              onChange={(v) => update(r.key, { model: v })}
              data={models}
              style={{ flex: 1, minWidth: 0 }}
            />
            <NumberInput
              aria-label={t('aliases.targetWeight', { n: i + 1 })}
              value={r.weight}
              onChange={(v) => update(r.key, { weight: v })}
              min={0}
              allowNegative={false}
              w={84}
            />
            <Text size="sm" w={52} ta="right" style={{ fontVariantNumeric: 'tabular-nums' }} data-testid={`target-share-${i + 1}`}>
              {fmtPercent(split[i], locale)}
            </Text>
            <ActionIcon
              variant="subtle"
              color="red"
              onClick={() => onChange(rows.filter((x) => x.key !== r.key))}
              disabled={rows.length === 1}
              aria-label={t('aliases.removeTarget', { n: i + 1 })}
            >
              ×
            </ActionIcon>
          </Group>
        ))}
        <Group justify="space-between">
          <Button size="xs" variant="light" onClick={() => onChange([...rows, targetRow('', 1)])}>
            {t('aliases.addTarget')}
          </Button>
          {split.every((s) => s === 0) && (
            <Text size="xs" c="orange" role="status">
              {t('aliases.noTraffic')}
            </Text>
          )}
        </Group>
      </Stack>
    </Input.Wrapper>
  );
}

function FallbacksEditor({ list, onChange, models }: { list: string[]; onChange: (list: string[]) => void; models: string[] }) {
  const { t } = useI18n();
  const [adding, setAdding] = useState('');
  const add = () => {
    const m = adding.trim();
    if (m && !list.includes(m)) onChange([...list, m]);
    setAdding('');
  };
  return (
    <Input.Wrapper label={t('aliases.fallbacks')} description={t('aliases.fallbacksHint')}>
      <Stack gap={4} mt={6}>
        {list.length > 0 && (
          <Stack gap={4} component="ol" m={0} p={0} style={{ listStyle: 'none' }} data-testid="fallback-list">
            {list.map((m, i) => (
              <Group key={m} component="li" gap="xs" wrap="nowrap">
                <Text size="sm" c="dimmed" w={20} ta="right">
                  {i + 1}.
                </Text>
                <Code style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis' }}>{m}</Code>
                <ActionIcon variant="subtle" onClick={() => onChange(move(list, i, -1))} disabled={i === 0} aria-label={t('aliases.moveUp', { model: m })}>
                  ↑
                </ActionIcon>
                <ActionIcon
                  variant="subtle"
                  onClick={() => onChange(move(list, i, 1))}
                  disabled={i === list.length - 1}
                  aria-label={t('aliases.moveDown', { model: m })}
                >
                  ↓
                </ActionIcon>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  onClick={() => onChange(list.filter((x) => x !== m))}
                  aria-label={t('aliases.removeFallback', { model: m })}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
          </Stack>
        )}
        <Group gap="xs" wrap="nowrap">
          <Autocomplete
            aria-label={t('aliases.fallbackInput')}
            placeholder={t('aliases.fallbackInput')}
            value={adding}
            onChange={setAdding}
            data={models.filter((m) => !list.includes(m))}
            onKeyDown={(e) => {
              // Enter adds the typed model instead of submitting the whole form.
              if (e.key === 'Enter' && adding.trim()) {
                e.preventDefault();
                add();
              }
            }}
            style={{ flex: 1, minWidth: 0 }}
          />
          <Button variant="default" onClick={add} disabled={!adding.trim()}>
            {t('aliases.addFallback')}
          </Button>
        </Group>
      </Stack>
    </Input.Wrapper>
  );
}

function AliasEditor({ initial, isNew, models, onClose }: { initial: AliasDraft; isNew: boolean; models: string[]; onClose: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [d, setD] = useState<AliasDraft>(initial);
  const save = useMutation({
    mutationFn: () => {
      // Rows are sent as typed (an empty weight included) so the API's 400 names the field to fix.
      const { name, ...rest } = aliasDraftToBody(d);
      return isNew
        ? api('aliases.create', { body: { name, ...rest } as CallArgs<'aliases.create'>['body'] })
        : api('aliases.update', { params: { name: initial.name }, body: rest as CallArgs<'aliases.update'>['body'] });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['aliases'] });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        {isNew && (
          <TextInput
            label={t('aliases.name')}
            description={t('aliases.nameHint')}
            value={d.name}
            onChange={(e) => {
              const name = e.currentTarget.value;
              setD((x) => ({ ...x, name }));
            }}
            required
            data-autofocus
          />
        )}
        <TargetsEditor rows={d.targets} onChange={(targets) => setD((x) => ({ ...x, targets }))} models={models} />
        <FallbacksEditor list={d.fallbacks} onChange={(fallbacks) => setD((x) => ({ ...x, fallbacks }))} models={models} />
        <MutationError error={save.error} />
        <FormActions cancelLabel={t('aliases.cancel')} onCancel={onClose} submitLabel={t('aliases.save')} loading={save.isPending} />
      </Stack>
    </form>
  );
}

function DeleteAlias({ name, onClose }: { name: string; onClose: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const del = useMutation({
    mutationFn: () => api('aliases.delete', { params: { name } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['aliases'] });
      onClose();
    },
  });
  return (
    <Stack>
      <Text size="sm">{t('aliases.deleteBody', { name })}</Text>
      <MutationError error={del.error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose} data-autofocus>
          {t('aliases.cancel')}
        </Button>
        <Button color="red" loading={del.isPending} onClick={() => del.mutate()}>
          {t('aliases.deleteConfirm')}
        </Button>
      </Group>
    </Stack>
  );
}

function AliasTableRow({ a, served, onEdit, onDelete }: { a: AliasRow; served: (m: string) => boolean; onEdit: () => void; onDelete: () => void }) {
  const { t, locale } = useI18n();
  const targets = readTargets(a.targets);
  const split = shares(targets.map((x) => x.weight));
  return (
    <Table.Tr data-testid={`alias-${a.name}`}>
      <Table.Td>
        <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
          {a.name}
        </Text>
      </Table.Td>
      <Table.Td>
        <Stack gap={4}>
          {targets.map((x, i) => (
            <Group key={`${x.model}-${i}`} gap="xs" wrap="nowrap">
              <ShareBar share={split[i]} label={`${x.model} ${fmtPercent(split[i], locale)}`} />
              <Text size="sm" w={48} ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
                {fmtPercent(split[i], locale)}
              </Text>
              <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                {x.model}
              </Text>
              <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                {t('aliases.weight', { w: fmtInt(x.weight, locale) })}
              </Text>
              {!served(x.model) && (
                <Tooltip label={t('aliases.unservedHint')} multiline maw={260}>
                  <Badge color="orange" variant="light" tabIndex={0} tt="none">
                    {t('aliases.unserved')}
                  </Badge>
                </Tooltip>
              )}
            </Group>
          ))}
        </Stack>
      </Table.Td>
      <Table.Td>
        {a.fallbacks.length ? (
          <Stack gap={2}>
            {a.fallbacks.map((f, i) => (
              <Text key={f} size="sm">
                <Text span c="dimmed" size="sm">
                  {i + 1}.{' '}
                </Text>
                <Text span ff="monospace" size="sm" style={{ whiteSpace: 'nowrap' }}>
                  {f}
                </Text>
              </Text>
            ))}
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">
            {t('aliases.noFallbacks')}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button size="xs" variant="light" onClick={onEdit} aria-label={t('aliases.editLabel', { name: a.name })}>
            {t('aliases.edit')}
          </Button>
          <Button size="xs" variant="light" color="red" onClick={onDelete} aria-label={t('aliases.deleteLabel', { name: a.name })}>
            {t('aliases.delete')}
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

export function AliasesPage() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  // What a dialog shows is kept after it closes, so its title does not change during the closing transition.
  const [editing, setEditingValue] = useState<{ draft: AliasDraft; isNew: boolean } | null>(null);
  const [editOpen, setEditOpen] = useState(false);
  const setEditing = (v: { draft: AliasDraft; isNew: boolean }) => {
    setEditingValue(v);
    setEditOpen(true);
  };
  const [deleting, setDeletingValue] = useState('');
  const [deleteOpen, setDeleteOpen] = useState(false);
  const setDeleting = (name: string) => {
    setDeletingValue(name);
    setDeleteOpen(true);
  };
  const phone = usePhone('36em');
  const aliases = useQuery({
    queryKey: ['aliases'],
    queryFn: async () => {
      const page = await api('aliases.list');
      return { rows: page.data, total: page.total };
    },
  });
  // Channels give the model suggestions and the "no channel" warning; the list works without them.
  const channels = useQuery({
    queryKey: ['channels', 'for-aliases'],
    queryFn: async () => (await api('channels.list', { query: { limit: 500 } })).data as unknown as ChannelRow[],
  });
  const served = useMemo(() => (channels.data ? servedBy(channels.data) : () => true), [channels.data]);
  const models = useMemo(
    () => [...new Set((channels.data ?? []).flatMap((c) => c.models.filter((m) => !m.includes('*'))))].sort((a, b) => a.localeCompare(b)),
    [channels.data],
  );
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.aliases')}</Title>
        <Button onClick={() => setEditing({ draft: emptyAliasDraft(), isNew: true })}>{t('aliases.new')}</Button>
      </Group>
      <Text size="sm" c="dimmed">
        {t('aliases.intro')}
      </Text>
      <QueryState query={aliases}>
        {({ rows, total }) =>
          rows.length === 0 ? (
            <Paper withBorder p="lg" data-testid="aliases-empty">
              <Text c="dimmed" ta="center">
                {t('aliases.empty')}
              </Text>
            </Paper>
          ) : (
            <>
              <Text size="sm" c="dimmed">
                {t('aliases.count', { n: fmtInt(total, locale) })}
              </Text>
              <Table.ScrollContainer minWidth={760}>
                <Table striped highlightOnHover verticalSpacing="sm">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('col.name')}</Table.Th>
                      <Table.Th>{t('aliases.col.targets')}</Table.Th>
                      <Table.Th>{t('aliases.col.fallbacks')}</Table.Th>
                      <Table.Th>{t('col.actions')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((a) => (
                      <AliasTableRow
                        key={a.name}
                        a={a}
                        served={served}
                        onEdit={() => setEditing({ draft: aliasToDraft(a), isNew: false })}
                        onDelete={() => setDeleting(a.name)}
                      />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </>
          )
        }
      </QueryState>
      <Modal
        opened={editOpen}
        onClose={() => setEditOpen(false)}
        title={editing?.isNew ? t('aliases.createTitle') : t('aliases.editTitle', { name: editing?.draft.name ?? '' })}
        size="lg"
        fullScreen={phone}
      >
        {editing && (
          <AliasEditor
            key={editing.draft.targets.map((x) => x.key).join('-')}
            initial={editing.draft}
            isNew={editing.isNew}
            models={models}
            onClose={() => setEditOpen(false)}
          />
        )}
      </Modal>
      <Modal opened={deleteOpen} onClose={() => setDeleteOpen(false)} title={t('aliases.deleteTitle', { name: deleting })}>
        {deleting && <DeleteAlias name={deleting} onClose={() => setDeleteOpen(false)} />}
      </Modal>
    </Stack>
  );
}
