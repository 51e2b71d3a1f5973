import { Anchor, Badge, Button, Card, Collapse, Group, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { fmtInt, fmtMs, fmtUsd } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { isOrgAdmin } from '../../layout/console-pages';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import { LogDetailDrawer } from './log-detail.drawer';
import { LogExportModal } from './log-export.modal';
import { activeFilterCount, filterKey, isoToLocalInput, localInputToIso, readLogFilter, withFilter, writeLogFilter, type LogFilter } from './log-filters';
import { fmtShortTime, fmtTime, modelLabel, nameOf, protocolLabel, statusColor, totalTokens, unitParts, type LogRecord } from './log-view';
import { useUnitsLabel } from './units-label';
import { usePhone } from '../../layout/use-phone';

const PAGE_SIZE = 50;

export interface LogNames {
  channels: Map<number, string>;
  tokens: Map<number, string>;
  users: Map<number, string>;
}

/** Names for the ids a log carries (first 500 of each list; a log outside them shows `#id`). */
export function useLogNames(): LogNames {
  const { api, user } = useSession();
  const opts = { staleTime: 60_000 };
  // Channels are the platform's: an org admin may not list them (its logs show channel ids).
  const channels = useQuery({
    queryKey: ['log-names', 'channels'],
    queryFn: () => api('channels.list', { query: { limit: 500 } }),
    ...opts,
    enabled: !isOrgAdmin(user),
  });
  const tokens = useQuery({ queryKey: ['log-names', 'tokens'], queryFn: () => api('tokens.list', { query: { limit: 500 } }), ...opts });
  const users = useQuery({ queryKey: ['log-names', 'users'], queryFn: () => api('users.list', { query: { limit: 500 } }), ...opts });
  return useMemo(
    () => ({
      channels: new Map((channels.data?.data ?? []).map((c) => [c.id, c.name])),
      tokens: new Map((tokens.data?.data ?? []).map((t) => [t.id, t.name])),
      users: new Map((users.data?.data ?? []).map((u) => [u.id, u.name])),
    }),
    [channels.data, tokens.data, users.data],
  );
}

/** Select options of a name map, with the filter's current id kept even when the list does not name it. */
function optionsOf(names: Map<number, string>, current: number | undefined) {
  const opts = [...names].map(([id, name]) => ({ value: String(id), label: `${name} (#${id})` }));
  if (current !== undefined && !names.has(current)) opts.unshift({ value: String(current), label: `#${current}` });
  return opts;
}

/** On a phone the seven filters would fill the first screen: they fold behind a button there, open elsewhere. */
function FiltersFold({ label, children }: { label: string; children: ReactNode }) {
  const phone = usePhone();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button hiddenFrom="sm" variant="default" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {label}
      </Button>
      <Collapse in={!phone || open}>{children}</Collapse>
    </>
  );
}

const validStatus = (s: string) => /^\d{3}$/.test(s.trim()) && Number(s) >= 100 && Number(s) <= 599;

function LogFilters({ filter, names, onChange }: { filter: LogFilter; names: LogNames; onChange: (f: LogFilter) => void }) {
  const { t } = useI18n();
  const [model, setModel] = useState(filter.model ?? '');
  const [endpoint, setEndpoint] = useState(filter.endpoint ?? '');
  const [status, setStatus] = useState(filter.status === undefined ? '' : String(filter.status));
  const [statusError, setStatusError] = useState(false);
  // Back/forward or a link changes the URL: the typed drafts follow it.
  useEffect(() => setModel(filter.model ?? ''), [filter.model]);
  useEffect(() => setEndpoint(filter.endpoint ?? ''), [filter.endpoint]);
  useEffect(() => {
    setStatus(filter.status === undefined ? '' : String(filter.status));
    setStatusError(false);
  }, [filter.status]);

  const commitText = () => {
    const s = status.trim();
    if (s !== '' && !validStatus(s)) {
      setStatusError(true);
      return;
    }
    setStatusError(false);
    const next = withFilter(withFilter(withFilter(filter, 'model', model.trim()), 'endpoint', endpoint.trim()), 'status', s === '' ? undefined : Number(s));
    if (filterKey(next) !== filterKey(filter)) onChange(next);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    commitText();
  };
  const idSelect = (key: 'channelId' | 'tokenId' | 'userId', label: string, map: Map<number, string>) => (
    <Select
      label={label}
      placeholder={t('logs.any')}
      data={optionsOf(map, filter[key])}
      value={filter[key] === undefined ? null : String(filter[key])}
      onChange={(v) => onChange(withFilter(filter, key, v === null ? undefined : Number(v)))}
      searchable
      clearable
      nothingFoundMessage={t('common.none')}
    />
  );
  const timeInput = (key: 'from' | 'to', label: string) => (
    <TextInput
      type="datetime-local"
      label={label}
      value={isoToLocalInput(filter[key])}
      onChange={(e) => {
        const v = e.currentTarget.value;
        const iso = localInputToIso(v, key === 'to');
        if (v === '' || iso) onChange(withFilter(filter, key, iso));
      }}
    />
  );
  const count = activeFilterCount(filter);
  return (
    <FiltersFold label={count ? `${t('logs.filters')} (${count})` : t('logs.filters')}>
      <Card withBorder padding="sm" component="section" aria-label={t('logs.filters')}>
        <form onSubmit={submit}>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
            <TextInput
              label={t('logs.model')}
              description={t('logs.modelHint')}
              value={model}
              onChange={(e) => setModel(e.currentTarget.value)}
              onBlur={commitText}
            />
            <TextInput
              label={t('logs.endpoint')}
              description={t('logs.endpointHint')}
              value={endpoint}
              onChange={(e) => setEndpoint(e.currentTarget.value)}
              onBlur={commitText}
            />
            <TextInput
              label={t('logs.status')}
              description={t('logs.statusHint')}
              inputMode="numeric"
              value={status}
              error={statusError ? t('logs.statusInvalid') : undefined}
              onChange={(e) => setStatus(e.currentTarget.value)}
              onBlur={commitText}
            />
            {timeInput('from', t('logs.from'))}
            {timeInput('to', t('logs.to'))}
            {idSelect('channelId', t('logs.channel'), names.channels)}
            {idSelect('tokenId', t('logs.token'), names.tokens)}
            {idSelect('userId', t('logs.user'), names.users)}
            <Group align="flex-end">
              {/* Enter in a text field submits; the button is hidden from view but keeps the form submittable. */}
              <button type="submit" hidden />
              <Button variant="default" disabled={count === 0} onClick={() => onChange({})}>
                {t('logs.clear')}
              </Button>
            </Group>
          </SimpleGrid>
        </form>
      </Card>
    </FiltersFold>
  );
}

function LogTable({ rows, names, linkTo }: { rows: LogRecord[]; names: LogNames; linkTo: (id: string) => string }) {
  const { t, locale } = useI18n();
  const navigate = useNavigate();
  const nowrap = { whiteSpace: 'nowrap' } as const;
  const unitsLabel = useUnitsLabel();
  // Token and user, protocol and stream, latency and TTFT share a cell (second line dimmed) so every column of a
  // record fits a laptop screen; the detail drawer has each field on its own line.
  return (
    <Table.ScrollContainer minWidth={980}>
      <Table striped highlightOnHover verticalSpacing={6} horizontalSpacing="xs" fz="sm" data-testid="log-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('col.time')}</Table.Th>
            <Table.Th>{t('col.model')}</Table.Th>
            <Table.Th>{t('col.channel')}</Table.Th>
            <Table.Th>{t('logs.col.tokenUser')}</Table.Th>
            <Table.Th>{t('logs.col.endpoint')}</Table.Th>
            <Table.Th>{t('logs.col.protocol')}</Table.Th>
            <Table.Th style={{ whiteSpace: 'nowrap' }}>{t('col.status')}</Table.Th>
            <Table.Th ta="right">{t('logs.col.tokens')}</Table.Th>
            <Table.Th ta="right">{t('logs.col.cost')}</Table.Th>
            <Table.Th ta="right">{t('logs.col.latency')}</Table.Th>
            <Table.Th ta="right">{t('logs.col.attempts')}</Table.Th>
            <Table.Th>{t('logs.col.error')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => {
            const time = fmtShortTime(r.createdAt, locale);
            return (
              <Table.Tr key={r.requestId} data-testid={`log-${r.requestId}`} style={{ cursor: 'pointer' }} onClick={() => void navigate(linkTo(r.requestId))}>
                <Table.Td style={nowrap} title={fmtTime(r.createdAt, locale)}>
                  {/* The link is the keyboard way in; the row click is a shortcut for the mouse. */}
                  <Anchor
                    component={Link}
                    to={linkTo(r.requestId)}
                    size="sm"
                    aria-label={t('logs.openDetail', { time, id: r.requestId })}
                    onClick={(e) => e.stopPropagation()}
                  >
                    {time}
                  </Anchor>
                </Table.Td>
                <Table.Td style={nowrap}>{modelLabel(r)}</Table.Td>
                <Table.Td style={nowrap}>{nameOf(r.channelId, names.channels)}</Table.Td>
                <Table.Td style={nowrap}>
                  <div>{nameOf(r.tokenId, names.tokens)}</div>
                  <Text size="xs" c="dimmed">
                    {nameOf(r.userId, names.users)}
                  </Text>
                </Table.Td>
                <Table.Td style={nowrap} data-testid="log-endpoint">
                  <div>{r.endpoint ?? '—'}</div>
                  {unitParts(r.units).length > 0 && (
                    <Text size="xs" c="dimmed">
                      {unitsLabel(r.units)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td style={nowrap}>
                  <div>{protocolLabel(r)}</div>
                  {r.stream && (
                    <Text size="xs" c="dimmed">
                      {t('logs.streamYes')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge color={statusColor(r.status)} variant="light" data-testid="log-status" miw={48}>
                    {r.status}
                  </Badge>
                </Table.Td>
                <Table.Td ta="right" title={t('logs.tokensTitle', { prompt: fmtInt(r.promptTokens, locale), completion: fmtInt(r.completionTokens, locale) })}>
                  {fmtInt(totalTokens(r), locale)}
                </Table.Td>
                <Table.Td ta="right" style={nowrap}>
                  {fmtUsd(r.cost, locale)}
                </Table.Td>
                <Table.Td ta="right" style={nowrap}>
                  <div>{fmtMs(r.latencyMs)}</div>
                  {r.ttftMs !== null && (
                    <Text size="xs" c="dimmed">
                      {t('logs.ttftValue', { ms: fmtMs(r.ttftMs) })}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ta="right">{r.attempts}</Table.Td>
                <Table.Td>
                  {/* max-width on the text, not the cell: a table cell grows to its content's width regardless */}
                  {r.error ? (
                    <Text size="sm" c="red" truncate="end" maw={180} title={r.error}>
                      {r.error}
                    </Text>
                  ) : (
                    '—'
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function LogsPage() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const detailId = useParams()['*'] || undefined;
  const filter = useMemo(() => readLogFilter(search), [search]);
  const key = filterKey(filter);
  const names = useLogNames();
  const [exportOpened, exportModal] = useDisclosure(false);

  const qs = (f: LogFilter) => {
    const s = writeLogFilter(f).toString();
    return s ? `?${s}` : '';
  };
  // Each filter change is a history entry, so back/forward walks through the filters tried.
  const setFilter = (f: LogFilter) => void navigate(`/logs${qs(f)}`);
  const linkTo = (id: string) => `/logs/${encodeURIComponent(id)}${qs(filter)}`;

  const logs = useInfiniteQuery({
    queryKey: ['logs', key],
    queryFn: ({ pageParam }) => api('logs.list', { query: { ...filter, limit: PAGE_SIZE, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = useMemo(() => (logs.data?.pages ?? []).flatMap((p) => p.data as unknown as LogRecord[]), [logs.data]);
  const total = logs.data?.pages[0]?.total ?? 0;
  const filtered = activeFilterCount(filter) > 0;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.logs')}</Title>
        <Group gap="xs">
          <Button variant="default" onClick={() => void queryClient.resetQueries({ queryKey: ['logs', key] })}>
            {t('logs.refresh')}
          </Button>
          <Button onClick={exportModal.open} disabled={!logs.data || total === 0}>
            {t('logs.export')}
          </Button>
        </Group>
      </Group>
      <LogFilters filter={filter} names={names} onChange={setFilter} />
      <QueryState query={logs}>
        {() =>
          rows.length === 0 ? (
            <Card withBorder padding="lg">
              <Text c="dimmed" ta="center" data-testid="logs-empty">
                {filtered ? t('logs.empty') : t('logs.emptyAll')}
              </Text>
              {filtered && (
                <Group justify="center" mt="sm">
                  <Button variant="light" onClick={() => setFilter({})}>
                    {t('logs.clear')}
                  </Button>
                </Group>
              )}
            </Card>
          ) : (
            <>
              <Text size="sm" c="dimmed" data-testid="logs-count">
                {filtered ? t('logs.matching', { n: fmtInt(total, locale) }) : t('logs.total', { n: fmtInt(total, locale) })}
                {' · '}
                {t('logs.shown', { shown: fmtInt(rows.length, locale), total: fmtInt(total, locale) })}
              </Text>
              <LogTable rows={rows} names={names} linkTo={linkTo} />
              {logs.hasNextPage && (
                <Group justify="center">
                  <Button variant="light" loading={logs.isFetchingNextPage} onClick={() => void logs.fetchNextPage()}>
                    {t('logs.loadMore', { n: fmtInt(Math.max(1, Math.min(PAGE_SIZE, total - rows.length)), locale) })}
                  </Button>
                </Group>
              )}
              {logs.isFetchNextPageError && (
                <Text c="red" role="alert" size="sm" ta="center">
                  {t('common.error', { message: logs.error?.message ?? '' })}
                </Text>
              )}
            </>
          )
        }
      </QueryState>
      <LogDetailDrawer
        requestId={detailId}
        known={rows.find((r) => r.requestId === detailId)}
        names={names}
        onClose={() => void navigate(`/logs${qs(filter)}`)}
        onFilterModel={(model) => setFilter(withFilter(filter, 'model', model))}
        onFilterEndpoint={(endpoint) => setFilter(withFilter(filter, 'endpoint', endpoint))}
      />
      <LogExportModal opened={exportOpened} onClose={exportModal.close} filter={filter} total={total} />
    </Stack>
  );
}
