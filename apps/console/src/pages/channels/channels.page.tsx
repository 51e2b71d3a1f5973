import { Alert, Badge, Button, Group, Modal, NumberInput, Stack, Switch, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { ChannelRow } from '../../api/console-views';
import { fmtMs, fmtPercent } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import type { MessageKey } from '../../i18n/messages';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import { channelDraftToBody, emptyChannelDraft, type ChannelDraft } from './channel-draft';

const STATUS_COLOR: Record<string, string> = { enabled: 'green', disabled: 'gray', banned: 'red' };

function CreateChannelModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<ChannelDraft>(emptyChannelDraft);
  const set = <K extends keyof ChannelDraft>(k: K, v: ChannelDraft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const create = useMutation({
    mutationFn: () => api('channels.create', { body: channelDraftToBody(draft) }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['channels'] });
      setDraft(emptyChannelDraft);
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t('channels.createTitle')}>
      <form onSubmit={submit}>
        <Stack>
          <TextInput label={t('col.name')} value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} required />
          <TextInput label={t('col.type')} value={draft.type} onChange={(e) => set('type', e.currentTarget.value)} required />
          <TextInput
            label={t('channels.baseUrl')}
            description={t('channels.baseUrlHint')}
            value={draft.baseUrl}
            onChange={(e) => set('baseUrl', e.currentTarget.value)}
          />
          <Textarea
            label={t('channels.keys')}
            description={t('channels.keysHint')}
            value={draft.keys}
            onChange={(e) => set('keys', e.currentTarget.value)}
            autosize
            minRows={2}
            required
          />
          <TextInput
            label={t('channels.models')}
            description={t('channels.modelsHint')}
            value={draft.models}
            onChange={(e) => set('models', e.currentTarget.value)}
            required
          />
          <Group grow>
            <NumberInput label={t('col.priority')} value={draft.priority} onChange={(v) => set('priority', Number(v) || 0)} />
            <NumberInput label={t('col.weight')} value={draft.weight} min={0} onChange={(v) => set('weight', Number(v) || 0)} />
          </Group>
          {create.isError && (
            <Alert color="red" role="alert">
              {create.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('channels.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('channels.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ChannelTableRow({ c }: { c: ChannelRow }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => api('channels.update', { params: { id: String(c.id) }, body: { enabled } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['channels'] }),
  });
  const test = useMutation({ mutationFn: () => api('channels.test', { params: { id: String(c.id) }, body: {} }) });
  const statusKey = `channels.status.${c.status}` as MessageKey;
  return (
    <Table.Tr data-testid={`channel-${c.name}`}>
      <Table.Td>{c.id}</Table.Td>
      <Table.Td>{c.name}</Table.Td>
      <Table.Td>{c.type}</Table.Td>
      <Table.Td>
        <Badge color={STATUS_COLOR[c.status] ?? 'yellow'} variant="light">
          {statusKey in { 'channels.status.enabled': 1, 'channels.status.disabled': 1, 'channels.status.banned': 1 } ? t(statusKey) : c.status}
        </Badge>
      </Table.Td>
      <Table.Td>{c.bans.length ? c.bans.map((b) => b.model ?? `key ${b.key}`).join(', ') : '—'}</Table.Td>
      <Table.Td>{fmtPercent(c.errorRate, locale)}</Table.Td>
      <Table.Td>{fmtMs(c.responseTimeMs)}</Table.Td>
      <Table.Td>{c.priority}</Table.Td>
      <Table.Td>{c.weight}</Table.Td>
      <Table.Td>
        <Switch
          checked={c.enabled}
          disabled={toggle.isPending}
          onChange={(e) => toggle.mutate(e.currentTarget.checked)}
          aria-label={t('channels.enable', { name: c.name })}
        />
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button size="xs" variant="light" loading={test.isPending} onClick={() => test.mutate()}>
            {t('channels.test')}
          </Button>
          {test.data && (
            <Text size="xs" c={test.data.ok ? 'green' : 'red'} role="status">
              {test.data.ok
                ? t('channels.testOk', { ms: Math.round(test.data.responseTimeMs), model: test.data.model })
                : t('channels.testFailed', { error: test.data.error ?? String(test.data.status) })}
            </Text>
          )}
          {test.isError && (
            <Text size="xs" c="red" role="status">
              {t('channels.testFailed', { error: test.error.message })}
            </Text>
          )}
          {toggle.isError && (
            <Text size="xs" c="red" role="status">
              {toggle.error.message}
            </Text>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

export function ChannelsPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const [opened, { open, close }] = useDisclosure(false);
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: async () => {
      const page = await api('channels.list', { query: { limit: 500 } });
      return { rows: page.data as unknown as ChannelRow[], total: page.total };
    },
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.channels')}</Title>
        <Button onClick={open}>{t('channels.create')}</Button>
      </Group>
      <QueryState query={channels}>
        {({ rows, total }) => (
          <>
            <Text size="sm" c="dimmed">
              {t('channels.count', { n: total })}
            </Text>
            <Table.ScrollContainer minWidth={900}>
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>#</Table.Th>
                    <Table.Th>{t('col.name')}</Table.Th>
                    <Table.Th>{t('col.type')}</Table.Th>
                    <Table.Th>{t('col.status')}</Table.Th>
                    <Table.Th>{t('col.bans')}</Table.Th>
                    <Table.Th>{t('dashboard.errorRate')}</Table.Th>
                    <Table.Th>{t('col.latency')}</Table.Th>
                    <Table.Th>{t('col.priority')}</Table.Th>
                    <Table.Th>{t('col.weight')}</Table.Th>
                    <Table.Th>{t('col.enabled')}</Table.Th>
                    <Table.Th>{t('col.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((c) => (
                    <ChannelTableRow key={c.id} c={c} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
      </QueryState>
      <CreateChannelModal opened={opened} onClose={close} />
    </Stack>
  );
}
