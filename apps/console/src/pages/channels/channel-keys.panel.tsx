import { ActionIcon, Alert, Badge, Button, Group, Modal, Stack, Switch, Table, Text, TextInput, Textarea, Title, Tooltip, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Answer } from '../../api/admin-client';
import { fmtDateTime, fmtInt } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError } from '../../layout/form-actions';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import { KeyFileInput } from './key-file.input';
import { keyPreview, keysFromText } from './key-import';

type KeyView = Answer<'channel-keys.list'>['data'][number];

/** Badges keep their whole word: a table squeezing its columns must not cut "auth failed" to "AU…". */
export const NO_SHRINK = { minWidth: 'max-content' };

const STATE_COLOR: Record<KeyView['status'], string> = { ok: 'green', banned: 'orange', exhausted: 'yellow', auth_failed: 'red' };

/** The label saves when the field loses focus (or on Enter), only if it changed. */
function KeyLabel({ channelId, k }: { channelId: number; k: KeyView }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [value, setValue] = useState(k.label);
  const save = useMutation({
    mutationFn: () => api('channel-keys.update', { params: { id: String(channelId), keyId: String(k.id) }, body: { label: value } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['channel-keys', channelId] }),
  });
  const commit = () => {
    if (value.trim() !== k.label) save.mutate();
  };
  return (
    <TextInput
      size="xs"
      aria-label={t('channels.keys.labelOf', { masked: k.masked })}
      value={value}
      maxLength={128}
      onChange={(e) => setValue(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && commit()}
      error={save.isError ? save.error.message : undefined}
      disabled={save.isPending}
      w={150}
    />
  );
}

function KeyRow({ channelId, k, onDelete }: { channelId: number; k: KeyView; onDelete: (k: KeyView) => void }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => api('channel-keys.update', { params: { id: String(channelId), keyId: String(k.id) }, body: { enabled } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['channel-keys', channelId] }),
  });
  return (
    <Table.Tr data-testid={`key-${k.id}`}>
      <Table.Td>
        <Text ff="monospace" size="sm" style={{ whiteSpace: 'nowrap' }}>
          {k.masked}
        </Text>
      </Table.Td>
      <Table.Td>
        {/* keyed by the saved label: a new one from the server resets the field, not the whole row (a toggle in flight survives) */}
        <KeyLabel key={k.label} channelId={channelId} k={k} />
      </Table.Td>
      <Table.Td>
        <Stack gap={4} align="flex-start">
          <Badge color={STATE_COLOR[k.status]} variant="light" style={NO_SHRINK}>
            {t(`channels.keys.status.${k.status}`)}
          </Badge>
          {!k.enabled && (
            <Badge color="gray" variant="outline" style={NO_SHRINK}>
              {t('channels.keys.disabled')}
            </Badge>
          )}
        </Stack>
      </Table.Td>
      <Table.Td maw={220}>
        {k.lastError ? (
          <Tooltip label={k.lastError} multiline maw={360}>
            <Text size="xs" c="red" lineClamp={2}>
              {k.lastError}
            </Text>
          </Tooltip>
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td data-testid={`key-usage-${k.id}`}>
        {k.usage ? (
          <Stack gap={0}>
            <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
              {k.usage.limit === null
                ? fmtInt(k.usage.used, locale)
                : t('channels.keys.usageOf', { used: fmtInt(k.usage.used, locale), limit: fmtInt(k.usage.limit, locale) })}
            </Text>
            {k.usage.resetAt && (
              <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                {t('channels.keys.resetsAt', { at: fmtDateTime(k.usage.resetAt, locale) })}
              </Text>
            )}
          </Stack>
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td data-testid={`key-requests-${k.id}`} style={{ whiteSpace: 'nowrap' }}>
        {t('channels.keys.requestsOf', { requests: fmtInt(k.counters.requests, locale), errors: fmtInt(k.counters.errors, locale) })}
      </Table.Td>
      <Table.Td data-testid={`key-tokens-${k.id}`} style={{ whiteSpace: 'nowrap' }}>
        {fmtInt(k.counters.inputTokens, locale)} / {fmtInt(k.counters.outputTokens, locale)}
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="xs">{fmtDateTime(k.counters.lastUsedAt, locale)}</Text>
      </Table.Td>
      <Table.Td>
        <Switch
          checked={k.enabled}
          disabled={toggle.isPending}
          onChange={(e) => toggle.mutate(e.currentTarget.checked)}
          aria-label={t('channels.keys.enable', { masked: k.masked })}
        />
        {toggle.isError && (
          <Text size="xs" c="red" role="alert">
            {toggle.error.message}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <ActionIcon variant="subtle" color="red" aria-label={t('channels.keys.delete', { masked: k.masked })} onClick={() => onDelete(k)}>
          ✕
        </ActionIcon>
      </Table.Td>
    </Table.Tr>
  );
}

function ImportKeys({ channelId }: { channelId: number }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const { unique, repeated } = keyPreview(keysFromText(text));
  const add = useMutation({
    mutationFn: () => api('channel-keys.create', { params: { id: String(channelId) }, body: { keys: unique } }),
    onSuccess: () => {
      setText('');
      setFile(null);
      // not awaited: the result shows at once, the lists catch up behind it
      void queryClient.invalidateQueries({ queryKey: ['channel-keys', channelId] });
      void queryClient.invalidateQueries({ queryKey: ['channels'] });
      void queryClient.invalidateQueries({ queryKey: ['channel', channelId] });
    },
  });
  return (
    <Stack gap="xs">
      <Title order={4}>{t('channels.keys.import')}</Title>
      <Textarea
        label={t('channels.keys.paste')}
        description={t('channels.keys.pasteHint')}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        autosize
        minRows={3}
        maxRows={10}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
      />
      <KeyFileInput file={file} onFile={setFile} onKeys={(keys) => setText(keys.join('\n'))} />
      <Group justify="space-between" wrap="wrap">
        <Text size="sm" c="dimmed" role="status" data-testid="key-preview">
          {t('channels.keys.preview', { n: unique.length })}
          {repeated > 0 && ` · ${t('channels.keys.previewRepeated', { n: repeated })}`}
        </Text>
        <Button onClick={() => add.mutate()} disabled={!unique.length} loading={add.isPending}>
          {t('channels.keys.add', { n: unique.length })}
        </Button>
      </Group>
      <MutationError error={add.error} />
      {add.data && !add.isPending && (
        <Alert color={add.data.skipped.length ? 'yellow' : 'green'} role="status" data-testid="key-import-result">
          {t('channels.keys.result', { added: add.data.added.length, skipped: add.data.skipped.length })}
          {add.data.skipped.length > 0 && (
            <Text size="xs" mt={4} ff="monospace">
              {t('channels.keys.skippedList', { keys: add.data.skipped.map((s) => s.masked).join(', ') })}
            </Text>
          )}
        </Alert>
      )}
    </Stack>
  );
}

/** A channel's key pool: each key masked with its label, state and switch; delete asks first; batch import below. */
export function ChannelKeysPanel({ channelId }: { channelId: number }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [deleting, setDeleting] = useState<KeyView | null>(null);
  const keys = useQuery({ queryKey: ['channel-keys', channelId], queryFn: () => api('channel-keys.list', { params: { id: String(channelId) } }) });
  // the provider's allowances read now (`?refresh=1`); the answer is the pool as it then stands
  const refreshUsage = useMutation({
    mutationFn: () => api('channel-keys.list', { params: { id: String(channelId) }, query: { refresh: '1' } }),
    onSuccess: (answer) => queryClient.setQueryData(['channel-keys', channelId], answer),
  });
  const remove = useMutation({
    mutationFn: (k: KeyView) => api('channel-keys.delete', { params: { id: String(channelId), keyId: String(k.id) } }),
    onSuccess: async () => {
      setDeleting(null);
      await queryClient.invalidateQueries({ queryKey: ['channel-keys', channelId] });
      await queryClient.invalidateQueries({ queryKey: ['channels'] });
      await queryClient.invalidateQueries({ queryKey: ['channel', channelId] });
    },
  });
  const close = () => {
    setDeleting(null);
    remove.reset();
  };
  return (
    <Stack>
      <Group justify="flex-end">
        <Tooltip label={t('channels.keys.refreshUsageHint')}>
          <Button size="compact-sm" variant="light" loading={refreshUsage.isPending} onClick={() => refreshUsage.mutate()}>
            {t('channels.keys.refreshUsage')}
          </Button>
        </Tooltip>
      </Group>
      <MutationError error={refreshUsage.error} />
      <QueryState query={keys}>
        {({ data }) => (
          <Table.ScrollContainer minWidth={1000}>
            <Table verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('channels.keys.masked')}</Table.Th>
                  <Table.Th>{t('channels.keys.label')}</Table.Th>
                  <Table.Th>{t('channels.keys.state')}</Table.Th>
                  <Table.Th>{t('channels.keys.lastError')}</Table.Th>
                  <Table.Th>{t('channels.keys.usage')}</Table.Th>
                  <Table.Th>{t('channels.keys.requests')}</Table.Th>
                  <Table.Th>{t('channels.keys.tokens')}</Table.Th>
                  <Table.Th>{t('channels.keys.lastUsed')}</Table.Th>
                  <Table.Th>{t('col.enabled')}</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>{t('col.actions')}</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.map((k) => (
                  <KeyRow key={k.id} channelId={channelId} k={k} onDelete={setDeleting} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      <ImportKeys channelId={channelId} />
      <Modal opened={deleting !== null} onClose={close} title={deleting ? t('channels.keys.deleteTitle', { masked: deleting.masked }) : ''} zIndex={400}>
        <Stack>
          <Text size="sm">{t('channels.keys.deleteBody')}</Text>
          <MutationError error={remove.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('channels.cancel')}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => deleting && remove.mutate(deleting)}>
              {t('channels.keys.deleteConfirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
