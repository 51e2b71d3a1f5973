import { Anchor, Badge, Button, Code, CopyButton, Drawer, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { fmtInt, fmtMs, fmtUsd } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import type { MessageKey } from '../../i18n/messages';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import type { LogNames } from './logs.page';
import { useUnitsLabel } from './units-label';
import { fmtTime, nameOf, pluginsLabel, prettyBody, statusColor, type LogBodies, type LogRecord } from './log-view';

function Fields({
  r,
  names,
  onFilterModel,
  onFilterEndpoint,
}: {
  r: LogRecord;
  names: LogNames;
  onFilterModel: (model: string) => void;
  onFilterEndpoint: (endpoint: string) => void;
}) {
  const { t, locale } = useI18n();
  const unitsLabel = useUnitsLabel();
  const int = (n: number) => fmtInt(n, locale);
  const withId = (id: number | null, map: Map<number, string>) => (id === null ? '—' : `${nameOf(id, map)} (#${id})`);
  const rows: [MessageKey, ReactNode][] = [
    [
      'logs.field.requestId',
      <Group gap={4} key="id">
        <Code>{r.requestId}</Code>
        <CopyButton value={r.requestId}>
          {({ copied, copy }) => (
            <Button variant="subtle" size="compact-xs" color={copied ? 'teal' : undefined} onClick={copy} aria-label={t('logs.copyId')}>
              {copied ? t('logs.copied') : t('logs.copy')}
            </Button>
          )}
        </CopyButton>
      </Group>,
    ],
    ['logs.field.createdAt', `${fmtTime(r.createdAt, locale)} (${r.createdAt})`],
    ['logs.field.token', withId(r.tokenId, names.tokens)],
    ['logs.field.user', withId(r.userId, names.users)],
    ['logs.field.group', r.group ?? '—'],
    [
      'logs.field.model',
      <Group gap="xs" key="model">
        <span>{r.model}</span>
        <Anchor component="button" type="button" size="sm" onClick={() => onFilterModel(r.model)}>
          {t('logs.filterModel')}
        </Anchor>
      </Group>,
    ],
    ['logs.field.upstreamModel', r.upstreamModel ?? '—'],
    [
      'logs.field.endpoint',
      r.endpoint ? (
        <Group gap="xs" key="endpoint">
          <span>{r.endpoint}</span>
          <Anchor component="button" type="button" size="sm" onClick={() => onFilterEndpoint(r.endpoint!)}>
            {t('logs.filterEndpoint')}
          </Anchor>
        </Group>
      ) : (
        '—'
      ),
    ],
    ['logs.field.channel', withId(r.channelId, names.channels)],
    ['logs.field.protocol', r.protocol],
    ['logs.field.upstreamProtocol', r.upstreamProtocol ?? '—'],
    ['logs.field.stream', r.stream ? t('logs.yes') : t('logs.no')],
    [
      'logs.field.status',
      <Badge key="status" color={statusColor(r.status)} variant="light">
        {r.status}
      </Badge>,
    ],
    ['logs.field.promptTokens', int(r.promptTokens)],
    ['logs.field.completionTokens', int(r.completionTokens)],
    ['logs.field.cacheReadTokens', int(r.cacheReadTokens)],
    ['logs.field.cacheWriteTokens', int(r.cacheWriteTokens)],
    ['logs.field.reasoningTokens', int(r.reasoningTokens)],
    ['logs.field.units', unitsLabel(r.units) || '—'],
    ['logs.field.cost', fmtUsd(r.cost, locale)],
    ['logs.field.latencyMs', fmtMs(r.latencyMs)],
    ['logs.field.ttftMs', fmtMs(r.ttftMs)],
    ['logs.field.attempts', int(r.attempts)],
    ['logs.field.plugins', pluginsLabel(r.plugins) || '—'],
    [
      'logs.field.error',
      r.error ? (
        <Code key="error" block c="red" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
          {r.error}
        </Code>
      ) : (
        '—'
      ),
    ],
  ];
  return (
    <Table withRowBorders verticalSpacing={6} layout="fixed" data-testid="log-detail">
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th scope="row" w="38%" fw={500}>
              <Text size="sm" c="dimmed">
                {t(label)}
              </Text>
            </Table.Th>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** One logged body, pretty-printed when it is JSON, with a copy button (the text as logged). */
function BodyBlock({ label, text, testId }: { label: MessageKey; text: string | null; testId: string }) {
  const { t } = useI18n();
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          {t(label)}
        </Text>
        {text !== null && (
          <CopyButton value={text}>
            {({ copied, copy }) => (
              <Button
                variant="subtle"
                size="compact-xs"
                color={copied ? 'teal' : undefined}
                onClick={copy}
                aria-label={t('logs.bodies.copy', { what: t(label) })}
              >
                {copied ? t('logs.copied') : t('logs.copy')}
              </Button>
            )}
          </CopyButton>
        )}
      </Group>
      <Code block data-testid={testId} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', maxHeight: 360, overflow: 'auto' }}>
        {text === null ? t('logs.bodies.none') : prettyBody(text)}
      </Code>
    </Stack>
  );
}

/** The request's bodies when its token or group opts in (logBodies); a line saying so otherwise. */
function Bodies({ bodies }: { bodies: LogBodies | null | undefined }) {
  const { t } = useI18n();
  return (
    <Stack gap="xs" mt="md" data-testid="log-bodies">
      <Title order={5}>{t('logs.bodies.title')}</Title>
      {!bodies ? (
        <Text size="sm" c="dimmed">
          {t('logs.bodies.off')}
        </Text>
      ) : (
        <>
          {bodies.truncated && (
            <Text size="sm" c="orange">
              {t('logs.bodies.truncated')}
            </Text>
          )}
          <BodyBlock label="logs.bodies.request" text={bodies.request} testId="log-body-request" />
          <BodyBlock label="logs.bodies.response" text={bodies.response} testId="log-body-response" />
        </>
      )}
    </Stack>
  );
}

/** `/logs/:requestId` opens this over the list: every field of `GET /api/logs/:requestId`. */
export function LogDetailDrawer(props: {
  requestId: string | undefined;
  known: LogRecord | undefined;
  names: LogNames;
  onClose: () => void;
  onFilterModel: (model: string) => void;
  onFilterEndpoint: (endpoint: string) => void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const { requestId } = props;
  const detail = useQuery({
    queryKey: ['log', requestId],
    queryFn: async () => (await api('logs.get', { params: { requestId: requestId ?? '' } })) as unknown as LogRecord,
    enabled: requestId !== undefined,
    placeholderData: props.known,
    retry: false,
  });
  return (
    <Drawer
      opened={requestId !== undefined}
      onClose={props.onClose}
      position="right"
      size="lg"
      title={<Text fw={600}>{t('logs.detail', { id: requestId ?? '' })}</Text>}
      closeButtonProps={{ 'aria-label': t('logs.detailClose') }}
    >
      {requestId !== undefined && (
        <QueryState query={detail}>
          {(r) => (
            <>
              <Fields r={r} names={props.names} onFilterModel={props.onFilterModel} onFilterEndpoint={props.onFilterEndpoint} />
              {/* The list's row (placeholder) has no bodies field: wait for the detail's answer. */}
              {'bodies' in r && <Bodies bodies={r.bodies} />}
            </>
          )}
        </QueryState>
      )}
    </Drawer>
  );
}
