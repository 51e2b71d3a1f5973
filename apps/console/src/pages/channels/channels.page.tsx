import { Alert, Badge, Button, Group, Modal, NumberInput, Progress, Select, Stack, Switch, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Answer } from '../../api/admin-client';
import type { ChannelRow } from '../../api/console-views';
import { fmtBalance } from './channel-balance';
import { fmtInt, fmtMs, fmtPercent } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError, FormActions } from '../../layout/form-actions';
import type { MessageKey } from '../../i18n/messages';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import { channelDraftToBody, emptyChannelDraft, type ChannelDraft } from './channel-draft';
import { ChannelConfigInputs } from './channel-config.inputs';
import { ChannelEditDrawer } from './channel-edit.drawer';
import { KeyFileInput } from './key-file.input';
import { NO_SHRINK } from './channel-keys.panel';
import { CHANNEL_KEY_SHAPES, CHANNEL_TYPE_OPTIONS, TYPES_NEEDING_BASE_URL } from './channel-types';
import { runAll } from './test-all';

const STATUS_COLOR: Record<string, string> = { enabled: 'green', disabled: 'gray', banned: 'red' };

type TestResult = Answer<'channels.test'> | { ok: false; error: string; status: null; responseTimeMs: 0; model: '' };
type Row = ChannelRow & { keys: string[] };

function CreateChannelModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<ChannelDraft>(emptyChannelDraft);
  const [keyFile, setKeyFile] = useState<File | null>(null);
  const set = <K extends keyof ChannelDraft>(k: K, v: ChannelDraft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const create = useMutation({
    mutationFn: () => api('channels.create', { body: channelDraftToBody(draft) }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['channels'] });
      setDraft(emptyChannelDraft);
      setKeyFile(null);
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const needsBaseUrl = TYPES_NEEDING_BASE_URL.includes(draft.type);
  return (
    <Modal opened={opened} onClose={onClose} title={t('channels.createTitle')}>
      <form onSubmit={submit}>
        <Stack>
          <TextInput label={t('col.name')} value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} required />
          <Select
            label={t('col.type')}
            data={[...CHANNEL_TYPE_OPTIONS]}
            value={draft.type}
            onChange={(v) => v && set('type', v)}
            allowDeselect={false}
            searchable
            required
          />
          <TextInput
            label={t('channels.baseUrl')}
            description={t(needsBaseUrl ? 'channels.baseUrlRequired' : 'channels.baseUrlHint')}
            value={draft.baseUrl}
            onChange={(e) => set('baseUrl', e.currentTarget.value)}
            required={needsBaseUrl}
          />
          <ChannelConfigInputs type={draft.type} values={draft.config} onChange={(v) => set('config', v)} />
          <Textarea
            label={t('channels.keys')}
            description={t('channels.keysHint')}
            placeholder={CHANNEL_KEY_SHAPES[draft.type]}
            value={draft.keys}
            onChange={(e) => set('keys', e.currentTarget.value)}
            autosize
            minRows={2}
            maxRows={8}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            required
          />
          {/* a service-account key file or a Kiro credential is picked as downloaded, not copied out of it */}
          <KeyFileInput file={keyFile} onFile={setKeyFile} onKeys={(keys) => set('keys', keys.join('\n'))} />
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
          <MutationError error={create.error} />
          <FormActions cancelLabel={t('channels.cancel')} onCancel={onClose} submitLabel={t('channels.save')} loading={create.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}

function TestOutcome({ r }: { r: TestResult | undefined }) {
  const { t } = useI18n();
  if (!r) return <>—</>;
  return (
    <Text size="xs" c={r.ok ? 'green' : 'red'} role="status" lineClamp={2} maw={260}>
      {r.ok ? t('channels.testOk', { ms: Math.round(r.responseTimeMs), model: r.model }) : t('channels.testFailed', { error: r.error ?? String(r.status) })}
    </Text>
  );
}

function ChannelTableRow({
  c,
  result,
  onTest,
  testing,
  onEdit,
  onDelete,
}: {
  c: Row;
  result: TestResult | undefined;
  onTest: () => void;
  testing: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => api('channels.update', { params: { id: String(c.id) }, body: { enabled } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['channels'] }),
  });
  const statusKey = `channels.status.${c.status}` as MessageKey;
  return (
    <Table.Tr data-testid={`channel-${c.name}`}>
      <Table.Td>{c.id}</Table.Td>
      <Table.Td>{c.name}</Table.Td>
      <Table.Td>{c.type}</Table.Td>
      <Table.Td>
        <Badge color={STATUS_COLOR[c.status] ?? 'yellow'} variant="light" style={NO_SHRINK}>
          {statusKey in { 'channels.status.enabled': 1, 'channels.status.disabled': 1, 'channels.status.banned': 1 } ? t(statusKey) : c.status}
        </Badge>
      </Table.Td>
      <Table.Td>{fmtInt(c.keys.length, locale)}</Table.Td>
      <Table.Td data-testid={`balance-${c.name}`} style={{ whiteSpace: 'nowrap' }}>
        {c.balance?.balance != null && c.balance.currency ? fmtBalance(c.balance.balance, c.balance.currency, locale) : '—'}
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
        {toggle.isError && (
          <Text size="xs" c="red" role="alert">
            {toggle.error.message}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <TestOutcome r={result} />
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button size="xs" variant="light" loading={testing} onClick={onTest}>
            {t('channels.test')}
          </Button>
          <Button size="xs" variant="default" onClick={onEdit}>
            {t('channels.edit')}
          </Button>
          <Button size="xs" variant="subtle" color="red" onClick={onDelete}>
            {t('channels.delete')}
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

function DeleteChannelModal({ channel, onClose }: { channel: Row | null; onClose: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: number) => api('channels.delete', { params: { id: String(id) } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['channels'] });
      close();
    },
  });
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Modal opened={channel !== null} onClose={close} title={channel ? t('channels.deleteTitle', { name: channel.name }) : ''}>
      <Stack>
        <Text size="sm">{t('channels.deleteBody', { n: channel?.keys.length ?? 0 })}</Text>
        <MutationError error={remove.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {t('channels.cancel')}
          </Button>
          <Button color="red" loading={remove.isPending} onClick={() => channel && remove.mutate(channel.id)}>
            {t('channels.deleteConfirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function ChannelsPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [opened, { open, close }] = useDisclosure(false);
  const [editing, setEditing] = useState<Row | null>(null);
  const [deleting, setDeleting] = useState<Row | null>(null);
  const [results, setResults] = useState<Record<number, TestResult>>({});
  const [testing, setTesting] = useState<Set<number>>(new Set());
  const [run, setRun] = useState<{ done: number; total: number; ok: number; running: boolean } | null>(null);
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: async () => {
      const page = await api('channels.list', { query: { limit: 500 } });
      return { rows: page.data as unknown as Row[], total: page.total };
    },
  });
  const testOne = (id: number) => api('channels.test', { params: { id: String(id) }, body: {} });
  const record = (id: number, outcome: { ok: true; value: Answer<'channels.test'> } | { ok: false; error: Error }) => {
    const r: TestResult = outcome.ok ? outcome.value : { ok: false, error: outcome.error.message, status: null, responseTimeMs: 0, model: '' };
    setResults((m) => ({ ...m, [id]: r }));
    setTesting((s) => new Set([...s].filter((x) => x !== id)));
    return r.ok;
  };
  const test = async (id: number) => {
    setTesting((s) => new Set(s).add(id));
    try {
      record(id, { ok: true, value: await testOne(id) });
    } catch (e) {
      record(id, { ok: false, error: e as Error });
    }
    await queryClient.invalidateQueries({ queryKey: ['channels'] });
  };
  const testAll = async (rows: Row[]) => {
    setRun({ done: 0, total: rows.length, ok: 0, running: true });
    setTesting(new Set(rows.map((r) => r.id)));
    let ok = 0;
    await runAll(rows, (r) => testOne(r.id), {
      // two at a time: quick enough for dozens of channels without a burst against the upstreams
      concurrency: 2,
      onResult: (r, outcome, done) => {
        if (record(r.id, outcome)) ok++;
        setRun({ done, total: rows.length, ok, running: true });
      },
    });
    setRun({ done: rows.length, total: rows.length, ok, running: false });
    await queryClient.invalidateQueries({ queryKey: ['channels'] });
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.channels')}</Title>
        <Group gap="xs">
          <Button
            variant="light"
            onClick={() => channels.data && void testAll(channels.data.rows)}
            loading={run?.running}
            disabled={!channels.data?.rows.length}
          >
            {t('channels.testAll')}
          </Button>
          <Button onClick={open}>{t('channels.create')}</Button>
        </Group>
      </Group>
      {run && (
        <Stack gap={4} data-testid="test-all-progress">
          <Progress value={run.total ? (run.done / run.total) * 100 : 100} animated={run.running} aria-label={t('channels.testAll')} />
          <Text size="sm" c={run.running ? 'dimmed' : run.ok === run.total ? 'green' : 'red'} role="status">
            {run.running
              ? t('channels.testAllProgress', { done: run.done, total: run.total })
              : t('channels.testAllDone', { total: run.total, ok: run.ok, failed: run.total - run.ok })}
          </Text>
        </Stack>
      )}
      <QueryState query={channels}>
        {({ rows, total }) =>
          rows.length === 0 ? (
            <Alert color="gray" variant="light" data-testid="channels-empty">
              {t('channels.empty')}
            </Alert>
          ) : (
            <>
              <Text size="sm" c="dimmed">
                {t('channels.count', { n: total })}
              </Text>
              <Table.ScrollContainer minWidth={1200}>
                <Table striped highlightOnHover>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>#</Table.Th>
                      <Table.Th>{t('col.name')}</Table.Th>
                      <Table.Th>{t('col.type')}</Table.Th>
                      <Table.Th>{t('col.status')}</Table.Th>
                      <Table.Th>{t('channels.keys')}</Table.Th>
                      <Table.Th>{t('channels.balance')}</Table.Th>
                      <Table.Th>{t('col.bans')}</Table.Th>
                      <Table.Th>{t('dashboard.errorRate')}</Table.Th>
                      <Table.Th>{t('col.latency')}</Table.Th>
                      <Table.Th>{t('col.priority')}</Table.Th>
                      <Table.Th>{t('col.weight')}</Table.Th>
                      <Table.Th>{t('col.enabled')}</Table.Th>
                      <Table.Th>{t('channels.lastTest')}</Table.Th>
                      <Table.Th>{t('col.actions')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((c) => (
                      <ChannelTableRow
                        key={c.id}
                        c={c}
                        result={results[c.id]}
                        testing={testing.has(c.id)}
                        onTest={() => void test(c.id)}
                        onEdit={() => setEditing(c)}
                        onDelete={() => setDeleting(c)}
                      />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </>
          )
        }
      </QueryState>
      <CreateChannelModal opened={opened} onClose={close} />
      <ChannelEditDrawer channelId={editing?.id ?? null} name={editing?.name ?? ''} onClose={() => setEditing(null)} />
      <DeleteChannelModal channel={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}
