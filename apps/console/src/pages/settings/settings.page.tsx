import { Alert, Badge, Card, Code, Group, SimpleGrid, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { EffectiveSetting } from '@switchboard/config';
import { useI18n } from '../../i18n/i18n.context';
import type { MessageKey } from '../../i18n/messages';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import { AlertChannelsPanel } from './alert-channels.panel';
import { IntegrityPanel } from './integrity.panel';
import { groupSettings, unitHint, uptimeParts, uptimeUnit } from './setting-sections';

const SOURCE_COLOR: Record<EffectiveSetting['source'], string> = { env: 'blue', default: 'gray', generated: 'yellow' };

function Fact({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="lg" fw={700} data-testid={testId}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );
}

function ValueCell({ s }: { s: EffectiveSetting }) {
  const { t } = useI18n();
  if (s.value === null || (Array.isArray(s.value) && s.value.length === 0))
    return (
      <Text size="sm" c="dimmed" fs="italic">
        {t('settings.unset')}
      </Text>
    );
  const text = Array.isArray(s.value) ? s.value.join(', ') : String(s.value);
  const hint = unitHint(s.name, s.value);
  return (
    <Group gap={6} wrap="nowrap">
      <Code style={{ wordBreak: 'break-all', whiteSpace: 'normal' }}>{text}</Code>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
      {s.secret && (
        <Badge size="xs" variant="outline" color="grape" title={t('settings.secret')}>
          {t('settings.secret')}
        </Badge>
      )}
    </Group>
  );
}

/** SPEC §8 `/settings`: the configuration the gateway runs with (read-only: it comes from the environment), and its version. */
export function SettingsPage() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const [search, setSearch] = useState('');
  const [changedOnly, setChangedOnly] = useState(false);
  const settings = useQuery({ queryKey: ['settings'], queryFn: () => api('settings.get') });
  return (
    <Stack>
      <Title order={2}>{t('nav.settings')}</Title>
      <QueryState query={settings}>
        {(view) => {
          const groups = groupSettings(view.settings, search, changedOnly);
          const shown = groups.reduce((n, [, rows]) => n + rows.length, 0);
          return (
            <>
              <SimpleGrid cols={{ base: 2, md: 4 }}>
                <Fact label={t('settings.version')} value={view.version} testId="settings-version" />
                <Fact label={t('settings.mode')} value={t(`settings.mode.${view.mode}` as MessageKey)} hint={view.service} testId="settings-mode" />
                <Fact label={t('settings.node')} value={view.node} testId="settings-node" />
                <Fact
                  label={t('settings.uptime')}
                  value={t(`settings.uptime.${uptimeUnit(uptimeParts(view.uptimeSeconds))}`, uptimeParts(view.uptimeSeconds))}
                  hint={t('settings.startedAt', { time: new Date(view.startedAt).toLocaleString(locale) })}
                  testId="settings-uptime"
                />
              </SimpleGrid>
              <IntegrityPanel />
              <AlertChannelsPanel />
              <Alert color="blue" variant="light">
                {t('settings.readOnly')}
              </Alert>
              <Group align="end">
                <TextInput
                  label={t('settings.search')}
                  placeholder={t('settings.searchPlaceholder')}
                  value={search}
                  onChange={(e) => setSearch(e.currentTarget.value)}
                  w={280}
                />
                <Switch label={t('settings.changedOnly')} checked={changedOnly} onChange={(e) => setChangedOnly(e.currentTarget.checked)} mb={6} />
              </Group>
              <Text size="sm" c="dimmed" role="status">
                {shown === 0 && search ? t('settings.noMatch', { q: search }) : t('settings.count', { n: shown })}
              </Text>
              {groups.map(([section, rows]) => (
                <Card withBorder key={section} data-testid={`settings-section-${section}`}>
                  <Title order={3} size="h5" mb="xs">
                    {t(`settings.section.${section}` as MessageKey)}
                  </Title>
                  <Table.ScrollContainer minWidth={560}>
                    <Table striped layout="fixed">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th w="38%">{t('settings.variable')}</Table.Th>
                          <Table.Th>{t('settings.value')}</Table.Th>
                          <Table.Th w={170}>{t('settings.source')}</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {rows.map((s) => (
                          <Table.Tr key={s.name} data-testid={`setting-${s.name}`}>
                            <Table.Td>
                              <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
                                {s.name}
                              </Text>
                            </Table.Td>
                            <Table.Td>
                              <ValueCell s={s} />
                            </Table.Td>
                            <Table.Td>
                              <Badge color={SOURCE_COLOR[s.source]} variant="light" title={s.source === 'generated' ? t('settings.generatedHint') : undefined}>
                                {t(`settings.source.${s.source}` as MessageKey)}
                              </Badge>
                            </Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                </Card>
              ))}
            </>
          );
        }}
      </QueryState>
    </Stack>
  );
}
