import {
  ActionIcon,
  Button,
  Drawer,
  Fieldset,
  Group,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Tabs,
  TagsInput,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError } from '../../layout/form-actions';
import type { MessageKey } from '../../i18n/messages';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import {
  changedFields,
  formFromChannel,
  formToBody,
  TIMEOUT_FIELDS,
  type ChannelDetail,
  type ChannelForm,
  type FieldError,
  type FormErrors,
  type KvRow,
} from './channel-form';
import { ChannelKeysPanel } from './channel-keys.panel';
import { ChannelConfigInputs } from './channel-config.inputs';
import { ChannelBalanceLine } from './channel-balance';
import { CHANNEL_TYPE_OPTIONS, ENDPOINT_FAMILY_OPTIONS, TYPES_WITH_BALANCE } from './channel-types';
import { usePhone } from '../../layout/use-phone';

// JSON is checked by formToBody (which names the exact problem), so a plain monospace text area is enough.
const MONO = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };

/** Name/value rows (model mapping, headers): each input labelled, rows added and removed by buttons. */
function KvEditor({
  legend,
  hint,
  rows,
  onChange,
  keyLabel,
  valueLabel,
  error,
}: {
  legend: string;
  hint: string;
  rows: KvRow[];
  onChange: (rows: KvRow[]) => void;
  keyLabel: string;
  valueLabel: string;
  error?: string;
}) {
  const { t } = useI18n();
  const set = (i: number, patch: Partial<KvRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Fieldset legend={legend}>
      <Stack gap="xs">
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
        {rows.map((r, i) => (
          <Group key={i} gap="xs" wrap="nowrap" align="flex-start">
            <TextInput
              aria-label={`${keyLabel} ${i + 1}`}
              placeholder={keyLabel}
              value={r.key}
              onChange={(e) => set(i, { key: e.currentTarget.value })}
              flex={1}
              miw={0}
            />
            <TextInput
              aria-label={`${valueLabel} ${i + 1}`}
              placeholder={valueLabel}
              value={r.value}
              onChange={(e) => set(i, { value: e.currentTarget.value })}
              flex={1}
              miw={0}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              size="lg"
              aria-label={t('channels.form.removeRow', { n: i + 1 })}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              ✕
            </ActionIcon>
          </Group>
        ))}
        {error && (
          <Text size="xs" c="red" role="alert">
            {error}
          </Text>
        )}
        <Group>
          <Button size="xs" variant="light" onClick={() => onChange([...rows, { key: '', value: '' }])} aria-label={`${t('channels.form.addRow')}: ${legend}`}>
            {t('channels.form.addRow')}
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}

function SettingsForm({ channel, onSaved }: { channel: ChannelDetail; onSaved: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<ChannelForm>(() => formFromChannel(channel));
  const [errors, setErrors] = useState<FormErrors>({});
  const [nothing, setNothing] = useState(false);
  const set = <K extends keyof ChannelForm>(k: K, v: ChannelForm[K]) => {
    setNothing(false);
    setForm((f) => ({ ...f, [k]: v }));
  };
  const err = (k: keyof ChannelForm) => {
    const e: FieldError | undefined = errors[k];
    return e ? t(e.key, e.vars) : undefined;
  };
  const save = useMutation({
    mutationFn: (body: NonNullable<ReturnType<typeof changedFields>>) => api('channels.update', { params: { id: String(channel.id) }, body }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['channels'] });
      await queryClient.invalidateQueries({ queryKey: ['channel', channel.id] });
      onSaved();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = formToBody(form);
    if (r.errors) return setErrors(r.errors);
    setErrors({});
    const original = formToBody(formFromChannel(channel));
    const body = original.errors ? r.body : changedFields(original.body, r.body);
    if (!Object.keys(body).length) return setNothing(true);
    save.mutate(body);
  };
  const timeoutLabel: Record<(typeof TIMEOUT_FIELDS)[number], MessageKey> = {
    connectMs: 'channels.form.connectMs',
    firstByteMs: 'channels.form.firstByteMs',
    idleMs: 'channels.form.idleMs',
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t('col.name')} value={form.name} onChange={(e) => set('name', e.currentTarget.value)} error={err('name')} required />
          <Select
            label={t('col.type')}
            data={[...CHANNEL_TYPE_OPTIONS]}
            value={form.type}
            onChange={(v) => v && set('type', v)}
            allowDeselect={false}
            searchable
            comboboxProps={{ zIndex: 400 }}
          />
        </SimpleGrid>
        <TextInput label={t('channels.baseUrl')} value={form.baseUrl} onChange={(e) => set('baseUrl', e.currentTarget.value)} error={err('baseUrl')} required />
        <ChannelConfigInputs type={form.type} values={form.config} onChange={(v) => set('config', v)} error={err('config')} />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="key-mode-label">
            {t('channels.form.keyMode')}
          </Text>
          <SegmentedControl
            aria-labelledby="key-mode-label"
            value={form.keyMode}
            onChange={(v) => set('keyMode', v as ChannelForm['keyMode'])}
            data={[
              { value: 'random', label: t('channels.form.keyMode.random') },
              { value: 'round_robin', label: t('channels.form.keyMode.round_robin') },
            ]}
          />
        </Stack>
        <TagsInput
          label={t('channels.models')}
          description={t('channels.form.modelsHint')}
          value={form.models}
          onChange={(v) => set('models', v)}
          error={err('models')}
          splitChars={[',', ' ']}
          clearable
        />
        <KvEditor
          legend={t('channels.form.modelMapping')}
          hint={t('channels.form.modelMappingHint')}
          rows={form.modelMapping}
          onChange={(v) => set('modelMapping', v)}
          keyLabel={t('channels.form.requested')}
          valueLabel={t('channels.form.upstream')}
          error={err('modelMapping')}
        />
        <KvEditor
          legend={t('channels.form.headers')}
          hint={t('channels.form.headersHint')}
          rows={form.headers}
          onChange={(v) => set('headers', v)}
          keyLabel={t('channels.form.headerName')}
          valueLabel={t('channels.form.headerValue')}
          error={err('headers')}
        />
        <TagsInput
          label={t('channels.form.groups')}
          description={t('channels.form.groupsHint')}
          value={form.groups}
          onChange={(v) => set('groups', v)}
          error={err('groups')}
          splitChars={[',', ' ']}
        />
        <MultiSelect
          label={t('channels.form.endpoints')}
          description={t('channels.form.endpointsHint')}
          placeholder={form.endpoints.length ? undefined : t('channels.form.endpointsDefault')}
          data={[...ENDPOINT_FAMILY_OPTIONS]}
          value={form.endpoints}
          onChange={(v) => set('endpoints', v)}
          error={err('endpoints')}
          comboboxProps={{ zIndex: 400 }}
          clearable
          searchable
        />
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <NumberInput label={t('col.priority')} value={form.priority} allowDecimal={false} onChange={(v) => set('priority', Number(v) || 0)} />
          <NumberInput
            label={t('col.weight')}
            value={form.weight}
            min={0}
            allowDecimal={false}
            allowNegative={false}
            onChange={(v) => set('weight', Number(v) || 0)}
          />
        </SimpleGrid>
        <Group>
          <Switch label={t('col.enabled')} checked={form.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
          <Switch label={t('channels.form.autoBan')} checked={form.autoBan} onChange={(e) => set('autoBan', e.currentTarget.checked)} />
        </Group>
        <Textarea
          label={t('channels.form.paramOverride')}
          description={t('channels.form.paramOverrideHint')}
          value={form.paramOverride}
          onChange={(e) => set('paramOverride', e.currentTarget.value)}
          styles={MONO}
          spellCheck={false}
          error={err('paramOverride')}
          autosize
          minRows={2}
          maxRows={10}
        />
        <Textarea
          label={t('channels.form.statusCodeMapping')}
          description={t('channels.form.statusCodeMappingHint')}
          value={form.statusCodeMapping}
          onChange={(e) => set('statusCodeMapping', e.currentTarget.value)}
          styles={MONO}
          spellCheck={false}
          error={err('statusCodeMapping')}
          autosize
          minRows={2}
          maxRows={10}
        />
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextInput
            label={t('channels.form.testModel')}
            description={t('channels.form.testModelHint')}
            value={form.testModel}
            onChange={(e) => set('testModel', e.currentTarget.value)}
          />
          <TextInput label={t('channels.form.tag')} value={form.tag} onChange={(e) => set('tag', e.currentTarget.value)} />
        </SimpleGrid>
        <Fieldset legend={t('channels.form.timeouts')}>
          <SimpleGrid cols={{ base: 1, xs: 3 }}>
            {TIMEOUT_FIELDS.map((k) => (
              <NumberInput
                key={k}
                label={t(timeoutLabel[k])}
                value={form.timeouts[k]}
                min={1}
                allowDecimal={false}
                allowNegative={false}
                thousandSeparator
                onChange={(v) => set('timeouts', { ...form.timeouts, [k]: v === '' ? '' : Number(v) })}
              />
            ))}
          </SimpleGrid>
        </Fieldset>
        <MutationError error={save.error} />
        {nothing && (
          <Text size="sm" c="dimmed" role="status">
            {t('channels.form.nothingChanged')}
          </Text>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            {t('channels.form.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Edit a channel: every SPEC §5 field on one tab, its key pool on the other. */
export function ChannelEditDrawer({ channelId, name, onClose }: { channelId: number | null; name: string; onClose: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const phone = usePhone();
  const channel = useQuery({
    queryKey: ['channel', channelId],
    queryFn: async () => (await api('channels.get', { params: { id: String(channelId) } })) as unknown as ChannelDetail,
    enabled: channelId !== null,
  });
  return (
    <Drawer opened={channelId !== null} onClose={onClose} title={t('channels.editTitle', { name })} position="right" size={phone ? '100%' : 'xl'}>
      {channelId !== null && (
        <QueryState query={channel}>
          {(c) => (
            <>
              {TYPES_WITH_BALANCE.includes(c.type) && <ChannelBalanceLine channelId={c.id} stored={c.balance} />}
              <Tabs defaultValue="settings">
                <Tabs.List mb="md">
                  <Tabs.Tab value="settings">{t('channels.tab.settings')}</Tabs.Tab>
                  <Tabs.Tab value="keys">{t('channels.tab.keys', { n: c.keys.length })}</Tabs.Tab>
                </Tabs.List>
                <Tabs.Panel value="settings">
                  <SettingsForm channel={c} onSaved={onClose} />
                </Tabs.Panel>
                <Tabs.Panel value="keys">
                  <ChannelKeysPanel channelId={c.id} />
                </Tabs.Panel>
              </Tabs>
            </>
          )}
        </QueryState>
      )}
    </Drawer>
  );
}
