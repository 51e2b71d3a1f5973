import { Alert, Badge, Button, Card, Checkbox, Code, CopyButton, Group, Modal, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Answer } from '../../api/admin-client';
import { fmtDateTime } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import type { MessageKey } from '../../i18n/messages';
import { FormActions, MutationError } from '../../layout/form-actions';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';

type AlertChannelRow = Answer<'alert-channels.list'>['data'][number];
type ChannelType = AlertChannelRow['type'];

/** The events of SPEC §8 a channel can receive (`budget_reached` is raised once budgets exist). */
export const ALERT_EVENT_NAMES = ['balance_low', 'channel_banned', 'channel_down', 'error_rate', 'budget_reached'] as const;
const TYPES: ChannelType[] = ['webhook', 'email', 'slack'];
type EventName = (typeof ALERT_EVENT_NAMES)[number];

interface Draft {
  type: ChannelType;
  name: string;
  target: string;
  events: string[];
  enabled: boolean;
}

/** Add or edit one channel; the type is chosen once. A new webhook's signing secret is handed to `onCreated`. */
function ChannelForm({ initial, onClose, onCreated }: { initial: AlertChannelRow | null; onClose: () => void; onCreated: (secret: string) => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [d, setD] = useState<Draft>(
    initial
      ? { type: initial.type, name: initial.name, target: initial.target, events: initial.events, enabled: initial.enabled }
      : { type: 'webhook', name: '', target: '', events: ['balance_low', 'channel_down'], enabled: true },
  );
  const save = useMutation({
    mutationFn: () =>
      initial
        ? api('alert-channels.update', {
            params: { id: String(initial.id) },
            body: { name: d.name, target: d.target, events: d.events as EventName[], enabled: d.enabled },
          })
        : api('alert-channels.create', {
            body: { type: d.type, target: d.target, events: d.events as EventName[], enabled: d.enabled, ...(d.name.trim() ? { name: d.name } : {}) },
          }),
    onSuccess: async (row) => {
      await queryClient.invalidateQueries({ queryKey: ['alert-channels'] });
      onClose();
      if (row.secret) onCreated(row.secret);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Select
          label={t('alerts.type')}
          data={TYPES.map((v) => ({ value: v, label: t(`alerts.type.${v}` as MessageKey) }))}
          value={d.type}
          onChange={(v) => v && setD({ ...d, type: v as ChannelType })}
          disabled={!!initial}
          allowDeselect={false}
        />
        <TextInput
          label={t('alerts.name')}
          placeholder={t('alerts.namePlaceholder')}
          value={d.name}
          onChange={(e) => setD({ ...d, name: e.currentTarget.value })}
        />
        <TextInput
          label={t(`alerts.target.${d.type}` as MessageKey)}
          description={t(`alerts.targetHint.${d.type}` as MessageKey)}
          value={d.target}
          onChange={(e) => setD({ ...d, target: e.currentTarget.value })}
          required
        />
        <Checkbox.Group label={t('alerts.events')} value={d.events} onChange={(events) => setD({ ...d, events })}>
          <Stack gap={6} mt={6}>
            {ALERT_EVENT_NAMES.map((ev) => (
              <Checkbox key={ev} value={ev} label={t(`alerts.event.${ev}` as MessageKey)} />
            ))}
          </Stack>
        </Checkbox.Group>
        <Switch label={t('alerts.enabled')} checked={d.enabled} onChange={(e) => setD({ ...d, enabled: e.currentTarget.checked })} />
        <MutationError error={save.error} />
        <FormActions cancelLabel={t('alerts.cancel')} onCancel={onClose} submitLabel={initial ? t('alerts.save') : t('alerts.add')} loading={save.isPending} />
      </Stack>
    </form>
  );
}

function Row({ c, onEdit, onRotate, onDelete }: { c: AlertChannelRow; onEdit: () => void; onRotate: () => void; onDelete: () => void }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const test = useMutation({
    mutationFn: () => api('alert-channels.test', { params: { id: String(c.id) }, body: {} }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['alert-channels'] }),
  });
  return (
    <Table.Tr data-testid={`alert-channel-${c.id}`}>
      <Table.Td>
        <Text size="sm" fw={500}>
          {c.name}
        </Text>
        <Badge variant="light" size="sm">
          {t(`alerts.type.${c.type}` as MessageKey)}
        </Badge>{' '}
        {!c.enabled && (
          <Badge color="gray" variant="light" size="sm">
            {t('alerts.off')}
          </Badge>
        )}
        {c.previousSecretUntil && (
          <Text size="xs" c="dimmed" mt={4}>
            {t('alerts.oldSecretUntil', { until: fmtDateTime(c.previousSecretUntil, locale) })}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
          {c.target}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {c.events.map((ev) => (
            <Badge key={ev} variant="outline" size="sm">
              {t(`alerts.event.${ev}` as MessageKey)}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td>
        {c.lastDeliveryAt ? (
          <Stack gap={2}>
            <Badge color={c.lastError ? 'red' : 'green'} variant="light" size="sm">
              {c.lastError ? t('alerts.failed') : t('alerts.delivered')}
            </Badge>
            <Text size="xs" c="dimmed">
              {fmtDateTime(c.lastDeliveryAt, locale)}
            </Text>
            {c.lastError && (
              <Text size="xs" c="red">
                {c.lastError}
              </Text>
            )}
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">
            {t('alerts.never')}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button size="compact-sm" variant="light" loading={test.isPending} onClick={() => test.mutate()}>
            {t('alerts.test')}
          </Button>
          <Button size="compact-sm" variant="default" onClick={onEdit}>
            {t('alerts.edit')}
          </Button>
          {c.type === 'webhook' && (
            <Button size="compact-sm" variant="default" onClick={onRotate}>
              {t('alerts.rotate')}
            </Button>
          )}
          <Button size="compact-sm" variant="subtle" color="red" onClick={onDelete}>
            {t('alerts.delete')}
          </Button>
        </Group>
        {test.data && (
          <Text size="xs" c={test.data.delivered ? 'green' : 'red'} role="status" mt={4}>
            {test.data.delivered ? t('alerts.testDelivered') : t('alerts.testFailed', { error: test.data.error ?? '' })}
          </Text>
        )}
        <MutationError error={test.error} />
      </Table.Td>
    </Table.Tr>
  );
}

/** Settings → Alerts: where alerts reach a person (`/api/alert-channels`). */
export function AlertChannelsPanel() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const channels = useQuery({ queryKey: ['alert-channels'], queryFn: () => api('alert-channels.list') });
  const [editing, setEditing] = useState<AlertChannelRow | 'new' | null>(null);
  const [deleting, setDeleting] = useState<AlertChannelRow | null>(null);
  // a secret to show once: a new channel's, or a rotation's (with until when the replaced one still signs)
  const [secret, setSecret] = useState<{ value: string; rotated: boolean; until: string | null } | null>(null);
  const [rotating, setRotating] = useState<AlertChannelRow | null>(null);
  const rotate = useMutation({
    mutationFn: (id: number) => api('alert-channels.rotate', { params: { id: String(id) }, body: {} }),
    onSuccess: async (row) => {
      await queryClient.invalidateQueries({ queryKey: ['alert-channels'] });
      setRotating(null);
      if (row.secret) setSecret({ value: row.secret, rotated: true, until: row.previousSecretUntil });
    },
  });
  const del = useMutation({
    mutationFn: (id: number) => api('alert-channels.delete', { params: { id: String(id) } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['alert-channels'] });
      setDeleting(null);
    },
  });
  return (
    <Card withBorder data-testid="alert-channels">
      <Group justify="space-between" mb="xs">
        <div>
          <Title order={3} size="h5">
            {t('alerts.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('alerts.intro')}
          </Text>
        </div>
        <Button size="compact-sm" onClick={() => setEditing('new')}>
          {t('alerts.addChannel')}
        </Button>
      </Group>
      <QueryState query={channels}>
        {(r) =>
          r.data.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('alerts.none')}
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={760}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('alerts.name')}</Table.Th>
                    <Table.Th>{t('alerts.target')}</Table.Th>
                    <Table.Th>{t('alerts.events')}</Table.Th>
                    <Table.Th>{t('alerts.lastDelivery')}</Table.Th>
                    <Table.Th>{t('alerts.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {r.data.map((c) => (
                    <Row key={c.id} c={c} onEdit={() => setEditing(c)} onRotate={() => setRotating(c)} onDelete={() => setDeleting(c)} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? t('alerts.addChannel') : t('alerts.editChannel')}>
        {editing !== null && (
          <ChannelForm
            initial={editing === 'new' ? null : editing}
            onClose={() => setEditing(null)}
            onCreated={(value) => setSecret({ value, rotated: false, until: null })}
          />
        )}
      </Modal>
      <Modal
        opened={secret !== null}
        onClose={() => setSecret(null)}
        title={secret?.rotated ? t('alerts.newSecretTitle') : t('alerts.secretTitle')}
        closeOnClickOutside={false}
      >
        <Stack>
          <Alert color="yellow" role="alert">
            {t('alerts.secretWarning')}
          </Alert>
          {secret?.rotated && (
            <Text size="sm" data-testid="alert-secret-grace">
              {secret.until ? t('alerts.rotatedGrace', { until: fmtDateTime(secret.until, locale) }) : t('alerts.rotatedNow')}
            </Text>
          )}
          <Code block data-testid="alert-secret">
            {secret?.value}
          </Code>
          <Group justify="space-between">
            <CopyButton value={secret?.value ?? ''}>
              {({ copied, copy }) => (
                <Button variant="light" color={copied ? 'teal' : undefined} onClick={copy}>
                  {copied ? t('alerts.copied') : t('alerts.copy')}
                </Button>
              )}
            </CopyButton>
            <Button onClick={() => setSecret(null)}>{t('alerts.done')}</Button>
          </Group>
        </Stack>
      </Modal>
      <Modal opened={rotating !== null} onClose={() => setRotating(null)} title={t('alerts.rotateTitle')}>
        <Stack>
          <Text size="sm">{t('alerts.rotateConfirm', { name: rotating?.name ?? '' })}</Text>
          <MutationError error={rotate.error} />
          <FormActions
            cancelLabel={t('alerts.cancel')}
            onCancel={() => setRotating(null)}
            submitLabel={t('alerts.rotate')}
            loading={rotate.isPending}
            onSubmit={() => rotating && rotate.mutate(rotating.id)}
          />
        </Stack>
      </Modal>
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={t('alerts.deleteTitle')}>
        <Stack>
          <Text size="sm">{t('alerts.deleteConfirm', { name: deleting?.name ?? '' })}</Text>
          <MutationError error={del.error} />
          <FormActions
            cancelLabel={t('alerts.cancel')}
            onCancel={() => setDeleting(null)}
            submitLabel={t('alerts.delete')}
            color="red"
            loading={del.isPending}
            onSubmit={() => deleting && del.mutate(deleting.id)}
          />
        </Stack>
      </Modal>
    </Card>
  );
}
