import {
  Alert,
  Badge,
  Button,
  Group,
  NumberInput,
  Paper,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fmtDateTime } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { en, type MessageKey } from '../../i18n/messages';
import { MutationError } from '../../layout/form-actions';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import { badTokenIds, draftFromPlugin, fieldsOf, pluginUpdateBody, type FieldSpec, type FieldValue, type PluginDraft, type PluginRow } from './plugin-form';

const known = (key: string): key is MessageKey => key in en;

function SettingInput({ plugin, f, value, onChange }: { plugin: string; f: FieldSpec; value: FieldValue; onChange: (v: FieldValue) => void }) {
  const { t } = useI18n();
  const labelKey = `plugins.field.${f.key}`;
  const label = known(labelKey) ? t(labelKey) : f.key;
  const id = `${plugin}-${f.key}`;
  if (f.kind === 'boolean') return <Switch id={id} label={label} checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} mt="lg" />;
  if (typeof f.kind === 'object')
    return <Select id={id} label={label} data={[...f.kind.select]} value={String(value)} onChange={(v) => onChange(v ?? '')} allowDeselect={false} />;
  if (f.kind === 'int' || f.kind === 'number')
    return (
      <NumberInput
        id={id}
        label={label}
        value={typeof value === 'boolean' ? '' : value}
        onChange={onChange}
        allowDecimal={f.kind === 'number'}
        decimalScale={f.kind === 'number' ? 6 : undefined}
        thousandSeparator={f.kind === 'int' ? ',' : undefined}
      />
    );
  if (f.kind === 'secret')
    return <PasswordInput id={id} label={label} value={String(value)} onChange={(e) => onChange(e.currentTarget.value)} autoComplete="off" />;
  return <TextInput id={id} label={label} value={String(value)} onChange={(e) => onChange(e.currentTarget.value)} />;
}

/** One plugin: on/off, where it applies, its settings; saved together, only the fields changed. */
function PluginCard({ row }: { row: PluginRow }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [initial, setInitial] = useState<PluginDraft>(() => draftFromPlugin(row));
  const [draft, setDraft] = useState<PluginDraft>(initial);
  const [notice, setNotice] = useState<string | null>(null);
  const edit = (next: Partial<PluginDraft>) => {
    setNotice(null);
    setDraft((d) => ({ ...d, ...next }));
  };
  const bad = badTokenIds(draft);
  const save = useMutation({
    mutationFn: async () => {
      const body = pluginUpdateBody(row, initial, draft);
      if (!Object.keys(body).length) return null;
      return api('plugins.put', { params: { name: row.name }, body });
    },
    onSuccess: async (saved) => {
      if (!saved) return setNotice(t('plugins.noChanges'));
      // the answer is the stored configuration (a new secret comes back masked): the form starts again from it
      const next = draftFromPlugin(saved);
      setInitial(next);
      setDraft(next);
      setNotice(t('plugins.saved', { name: row.name }));
      await queryClient.invalidateQueries({ queryKey: ['plugins'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!bad.length) save.mutate();
  };
  const fields = fieldsOf(row);
  const aboutKey = `plugins.about.${row.name}`;
  return (
    <Paper withBorder p="md" radius="md" data-testid={`plugin-${row.name}`}>
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Group justify="space-between" wrap="wrap">
            <Group gap="xs">
              <Title order={3} size="h4">
                {row.name}
              </Title>
              <Badge color={initial.enabled ? 'green' : 'gray'} variant="light" data-testid="plugin-state">
                {initial.enabled ? t('plugins.on') : t('plugins.off')}
              </Badge>
            </Group>
            <Switch
              label={t('plugins.enable', { name: row.name })}
              checked={draft.enabled}
              onChange={(e) => edit({ enabled: e.currentTarget.checked })}
              labelPosition="left"
            />
          </Group>
          {known(aboutKey) && (
            <Text size="sm" c="dimmed">
              {t(aboutKey)}
            </Text>
          )}
          <SimpleGrid cols={{ base: 1, md: 3 }}>
            <TagsInput label={t('plugins.models')} description={t('plugins.modelsHint')} value={draft.models} onChange={(v) => edit({ models: v })} />
            <TagsInput label={t('plugins.groups')} description={t('plugins.groupsHint')} value={draft.groups} onChange={(v) => edit({ groups: v })} />
            <TagsInput
              label={t('plugins.tokens')}
              description={t('plugins.tokensHint')}
              value={draft.tokens}
              onChange={(v) => edit({ tokens: v })}
              error={bad.length ? t('plugins.badTokens', { ids: bad.join(', ') }) : undefined}
            />
          </SimpleGrid>
          {fields.length > 0 && (
            <>
              <Text fw={500} size="sm">
                {t('plugins.settings')}
              </Text>
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
                {fields.map((f) => (
                  <SettingInput
                    key={f.key}
                    plugin={row.name}
                    f={f}
                    value={draft.settings[f.key]}
                    onChange={(v) => edit({ settings: { ...draft.settings, [f.key]: v } })}
                  />
                ))}
              </SimpleGrid>
            </>
          )}
          <MutationError error={save.error} />
          {notice && (
            <Alert color="green" role="status" py="xs">
              {notice}
            </Alert>
          )}
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              {row.updatedAt ? t('plugins.updated', { at: fmtDateTime(row.updatedAt, locale) }) : t('plugins.neverChanged')}
            </Text>
            <Button type="submit" loading={save.isPending} disabled={bad.length > 0}>
              {t('plugins.save', { name: row.name })}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

export function PluginsPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const plugins = useQuery({ queryKey: ['plugins'], queryFn: () => api('plugins.list') });
  return (
    <Stack>
      <Title order={2}>{t('nav.plugins')}</Title>
      <Text size="sm" c="dimmed">
        {t('plugins.intro')}
      </Text>
      <QueryState query={plugins}>
        {({ data }) => (
          <Stack>
            {data.map((row) => (
              <PluginCard key={row.name} row={row} />
            ))}
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
