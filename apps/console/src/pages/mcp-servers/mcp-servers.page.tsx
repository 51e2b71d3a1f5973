import { Badge, Button, Code, Group, Modal, Paper, SegmentedControl, Stack, Table, TagsInput, Text, Textarea, TextInput, Title, Tooltip } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Answer } from '../../api/admin-client';
import { fmtInt } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { FormActions, MutationError } from '../../layout/form-actions';
import { QueryState } from '../../layout/query-state';
import { usePhone } from '../../layout/use-phone';
import { useSession } from '../../session/session.context';
import { OrgOwnerSelect, useChoosesOwner } from '../orgs/org-owner.select';
import { emptyMcpServerDraft, mcpServerDraftToBody, mcpServerToDraft, type McpServerDraft, type McpServerType, type McpTransport } from './mcp-server-draft';

type McpServerRow = Answer<'mcp-servers.list'>['data'][number];

function McpServerEditor({ initial, isNew, groups, onClose }: { initial: McpServerDraft; isNew: boolean; groups: string[]; onClose: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const choosesOwner = useChoosesOwner();
  const [d, setD] = useState<McpServerDraft>(initial);
  const set = <K extends keyof McpServerDraft>(k: K, v: McpServerDraft[K]) => setD((x) => ({ ...x, [k]: v }));
  const save = useMutation({
    mutationFn: () => {
      // Sent as typed: the API's 400 names the field to fix.
      const { name, ...rest } = mcpServerDraftToBody(d, choosesOwner);
      return isNew ? api('mcp-servers.create', { body: { name, ...rest } }) : api('mcp-servers.update', { params: { name: initial.name }, body: rest });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['mcp-servers'] });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const remote = d.type === 'remote';
  return (
    <form onSubmit={submit}>
      <Stack>
        {isNew && (
          <TextInput
            label={t('mcp.name')}
            description={t('mcp.nameHint')}
            value={d.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            required
            data-autofocus
          />
        )}
        <Stack gap={4}>
          <Text size="sm" fw={500} id="mcp-type-label">
            {t('mcp.type')}
          </Text>
          <SegmentedControl
            aria-labelledby="mcp-type-label"
            value={d.type}
            onChange={(v) => set('type', v as McpServerType)}
            data={[
              { value: 'remote', label: t('mcp.type.remote') },
              { value: 'openapi', label: t('mcp.type.openapi') },
            ]}
          />
        </Stack>
        <TextInput
          label={t('mcp.url')}
          description={remote ? t('mcp.urlHintRemote') : t('mcp.urlHintOpenapi')}
          value={d.url}
          onChange={(e) => set('url', e.currentTarget.value)}
          required={remote}
        />
        {remote ? (
          <Stack gap={4}>
            <Text size="sm" fw={500} id="mcp-transport-label">
              {t('mcp.transport')}
            </Text>
            <SegmentedControl
              aria-labelledby="mcp-transport-label"
              value={d.transport}
              onChange={(v) => set('transport', v as McpTransport)}
              data={[
                { value: 'auto', label: t('mcp.transport.auto') },
                { value: 'streamable', label: t('mcp.transport.streamable') },
                { value: 'sse', label: t('mcp.transport.sse') },
              ]}
            />
          </Stack>
        ) : (
          <Textarea
            label={t('mcp.spec')}
            description={t('mcp.specHint')}
            value={d.spec}
            onChange={(e) => set('spec', e.currentTarget.value)}
            autosize
            minRows={4}
            maxRows={14}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          />
        )}
        <Textarea
          label={t('mcp.headers')}
          description={t('mcp.headersHint')}
          value={d.headers}
          onChange={(e) => set('headers', e.currentTarget.value)}
          autosize
          minRows={2}
          placeholder="Authorization: Bearer …"
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <OrgOwnerSelect value={d.orgId} onChange={(v) => set('orgId', v)} description={t('mcp.orgHint')} />
        <TagsInput label={t('mcp.groups')} description={t('mcp.groupsHint')} value={d.groups} onChange={(v) => set('groups', v)} data={groups} clearable />
        <MutationError error={save.error} />
        <FormActions cancelLabel={t('mcp.cancel')} onCancel={onClose} submitLabel={t('mcp.save')} loading={save.isPending} />
      </Stack>
    </form>
  );
}

function DeleteMcpServer({ name, onClose }: { name: string; onClose: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const del = useMutation({
    mutationFn: () => api('mcp-servers.delete', { params: { name } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['mcp-servers'] });
      onClose();
    },
  });
  return (
    <Stack>
      <Text size="sm">{t('mcp.deleteBody', { name })}</Text>
      <MutationError error={del.error} />
      <FormActions
        cancelLabel={t('mcp.cancel')}
        onCancel={onClose}
        submitLabel={t('mcp.deleteConfirm')}
        loading={del.isPending}
        onSubmit={() => del.mutate()}
        color="red"
      />
    </Stack>
  );
}

function McpServerTableRow({ s, onEdit, onDelete }: { s: McpServerRow; onEdit: () => void; onDelete: () => void }) {
  const { t } = useI18n();
  const target = s.type === 'remote' ? s.url : typeof s.spec === 'string' ? s.spec : (s.url ?? t('mcp.inlineSpec'));
  return (
    <Table.Tr data-testid={`mcp-server-${s.name}`}>
      <Table.Td>
        <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
          {s.name}
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={s.type === 'remote' ? 'blue' : 'grape'} tt="none">
          {t(s.type === 'remote' ? 'mcp.type.remote' : 'mcp.type.openapi')}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
          {target}
        </Text>
      </Table.Td>
      <Table.Td>
        {s.groups.length ? (
          <Group gap={4}>
            {s.groups.map((g) => (
              <Badge key={g} variant="outline" tt="none">
                {g}
              </Badge>
            ))}
          </Group>
        ) : (
          <Tooltip label={t('mcp.noGroupsHint')} multiline maw={260}>
            <Badge color="orange" variant="light" tabIndex={0} tt="none">
              {t('mcp.noGroups')}
            </Badge>
          </Tooltip>
        )}
      </Table.Td>
      <Table.Td>
        <Stack gap={2}>
          <Code>{s.endpoints.streamable}</Code>
          <Code>{s.endpoints.sse}</Code>
        </Stack>
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button size="xs" variant="light" onClick={onEdit} aria-label={t('mcp.editLabel', { name: s.name })}>
            {t('mcp.edit')}
          </Button>
          <Button size="xs" variant="light" color="red" onClick={onDelete} aria-label={t('mcp.deleteLabel', { name: s.name })}>
            {t('mcp.delete')}
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

export function McpServersPage() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  // What a dialog shows is kept after it closes, so its title does not change during the closing transition.
  const [editing, setEditingValue] = useState<{ draft: McpServerDraft; isNew: boolean; key: number } | null>(null);
  const [editOpen, setEditOpen] = useState(false);
  const setEditing = (draft: McpServerDraft, isNew: boolean) => {
    setEditingValue({ draft, isNew, key: Date.now() });
    setEditOpen(true);
  };
  const [deleting, setDeletingValue] = useState('');
  const [deleteOpen, setDeleteOpen] = useState(false);
  const phone = usePhone('36em');
  const servers = useQuery({
    queryKey: ['mcp-servers'],
    queryFn: async () => {
      const page = await api('mcp-servers.list');
      return { rows: page.data, total: page.total };
    },
  });
  // Group names as suggestions; the form works without them.
  const groups = useQuery({ queryKey: ['groups', 'all'], queryFn: () => api('groups.list', { query: { limit: 500 } }) });
  // `default` always: an org admin's list has only its org's groups, yet its users' keys may be in `default`.
  const groupNames = [...new Set(['default', ...(groups.data?.data ?? []).map((g) => g.name)])].sort();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.mcpServers')}</Title>
        <Button onClick={() => setEditing(emptyMcpServerDraft(), true)}>{t('mcp.new')}</Button>
      </Group>
      <Text size="sm" c="dimmed">
        {t('mcp.intro')}
      </Text>
      <QueryState query={servers}>
        {({ rows, total }) =>
          rows.length === 0 ? (
            <Paper withBorder p="lg" data-testid="mcp-servers-empty">
              <Text c="dimmed" ta="center">
                {t('mcp.empty')}
              </Text>
            </Paper>
          ) : (
            <>
              <Text size="sm" c="dimmed">
                {t('mcp.count', { n: fmtInt(total, locale) })}
              </Text>
              <Table.ScrollContainer minWidth={760}>
                <Table striped highlightOnHover verticalSpacing="sm">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('col.name')}</Table.Th>
                      <Table.Th>{t('col.type')}</Table.Th>
                      <Table.Th>{t('mcp.col.target')}</Table.Th>
                      <Table.Th>{t('mcp.col.groups')}</Table.Th>
                      <Table.Th>{t('mcp.col.endpoints')}</Table.Th>
                      <Table.Th>{t('col.actions')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((s) => (
                      <McpServerTableRow
                        key={s.name}
                        s={s}
                        onEdit={() => setEditing(mcpServerToDraft(s), false)}
                        onDelete={() => {
                          setDeletingValue(s.name);
                          setDeleteOpen(true);
                        }}
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
        title={editing?.isNew ? t('mcp.createTitle') : t('mcp.editTitle', { name: editing?.draft.name ?? '' })}
        size="lg"
        fullScreen={phone}
      >
        {editing && <McpServerEditor key={editing.key} initial={editing.draft} isNew={editing.isNew} groups={groupNames} onClose={() => setEditOpen(false)} />}
      </Modal>
      <Modal opened={deleteOpen} onClose={() => setDeleteOpen(false)} title={t('mcp.deleteTitle', { name: deleting })}>
        {deleting && <DeleteMcpServer name={deleting} onClose={() => setDeleteOpen(false)} />}
      </Modal>
    </Stack>
  );
}
