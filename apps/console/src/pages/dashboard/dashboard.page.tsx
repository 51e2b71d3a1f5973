import { Card, Group, SegmentedControl, SimpleGrid, Stack, Table, Text, Title, useComputedColorScheme } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { BarElement, CategoryScale, Chart as ChartJS, Filler, Legend, LinearScale, LineElement, PointElement, Tooltip, type ChartOptions } from 'chart.js';
import { useState } from 'react';
import { Bar, Line } from 'react-chartjs-2';
import type { LogRow, StatsRow, StatsView } from '../../api/console-views';
import { fmtInt, fmtMs, fmtPercent, fmtUsd } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { QueryState } from '../../layout/query-state';
import { useUnitsLabel } from '../logs/units-label';
import { useSession } from '../../session/session.context';

ChartJS.register(CategoryScale, LinearScale, BarElement, LineElement, PointElement, Tooltip, Legend, Filler);

const PERIODS = ['1', '7', '30'] as const;

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={`stat-${label}`}>
        {value}
      </Text>
    </Card>
  );
}

function useChartOptions(): ChartOptions<'line' | 'bar'> {
  const dark = useComputedColorScheme('light') === 'dark';
  const ink = dark ? '#c9c9c9' : '#495057';
  const grid = dark ? 'rgba(255,255,255,0.08)' : 'rgba(0,0,0,0.08)';
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { labels: { color: ink } } },
    scales: { x: { ticks: { color: ink }, grid: { color: grid } }, y: { beginAtZero: true, ticks: { color: ink }, grid: { color: grid } } },
  };
}

/** The shared options with the y axis labelled in the series' unit (USD, percent) rather than raw numbers. */
function withYTicks(options: ChartOptions<'line' | 'bar'>, format: (v: number) => string): ChartOptions<'line'> {
  const y = options.scales?.y;
  return { ...(options as ChartOptions<'line'>), scales: { ...options.scales, y: { ...y, ticks: { ...y?.ticks, callback: (v) => format(Number(v)) } } } };
}

function ChartCard({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card withBorder>
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      <div style={{ height: 220 }}>{children}</div>
    </Card>
  );
}

function TopTable<R extends StatsRow>({ title, rows, name, label }: { title: string; rows: R[]; name: (r: R) => string; label: string }) {
  const { t, locale } = useI18n();
  return (
    <Card withBorder>
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      {rows.length === 0 ? (
        <Text c="dimmed">{t('common.none')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={360}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{label}</Table.Th>
                <Table.Th>{t('dashboard.requests')}</Table.Th>
                <Table.Th>{t('dashboard.tokens')}</Table.Th>
                <Table.Th>{t('dashboard.cost')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.slice(0, 10).map((r) => (
                <Table.Tr key={name(r)}>
                  <Table.Td>{name(r)}</Table.Td>
                  <Table.Td>{fmtInt(r.requests, locale)}</Table.Td>
                  <Table.Td>{fmtInt(r.promptTokens + r.completionTokens, locale)}</Table.Td>
                  <Table.Td>{fmtUsd(r.cost, locale)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}

/** Requests per endpoint family (chat, images, audio, rerank…): a bar each, and a table with errors, cost and units. */
function EndpointBreakdown({ rows }: { rows: NonNullable<StatsView['byEndpoint']> }) {
  const { t, locale } = useI18n();
  const barOptions = useChartOptions() as ChartOptions<'bar'>;
  const unitsLabel = useUnitsLabel();
  const name = (e: string | null) => e ?? t('dashboard.endpointOther');
  const shown = rows.slice(0, 12);
  return (
    <Card withBorder data-testid="endpoint-breakdown">
      <Title order={3} size="h5" mb="xs">
        {t('dashboard.byEndpoint')}
      </Title>
      {shown.length === 0 ? (
        <Text c="dimmed">{t('common.none')}</Text>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <div style={{ height: Math.max(120, 32 * shown.length) }}>
            <Bar
              aria-label={t('dashboard.byEndpoint')}
              // one series, named by the card's title: no legend
              options={{ ...barOptions, indexAxis: 'y', plugins: { ...barOptions.plugins, legend: { display: false } } }}
              data={{
                labels: shown.map((r) => name(r.endpoint)),
                datasets: [{ label: t('dashboard.requests'), data: shown.map((r) => r.requests), backgroundColor: '#4c6ef5' }],
              }}
            />
          </div>
          <Table.ScrollContainer minWidth={420}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('dashboard.endpoint')}</Table.Th>
                  <Table.Th>{t('dashboard.requests')}</Table.Th>
                  <Table.Th>{t('dashboard.errorRate')}</Table.Th>
                  <Table.Th>{t('dashboard.cost')}</Table.Th>
                  <Table.Th>{t('dashboard.units')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((r) => (
                  <Table.Tr key={r.endpoint ?? ''}>
                    <Table.Td>{name(r.endpoint)}</Table.Td>
                    <Table.Td>{fmtInt(r.requests, locale)}</Table.Td>
                    <Table.Td>{fmtPercent(r.errorRate, locale)}</Table.Td>
                    <Table.Td>{fmtUsd(r.cost, locale)}</Table.Td>
                    <Table.Td>{unitsLabel(r.units) || '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </SimpleGrid>
      )}
    </Card>
  );
}

function StatsPanels({ stats }: { stats: StatsView }) {
  const { t, locale } = useI18n();
  const options = useChartOptions();
  const labels = stats.byDay.map((d) => d.date.slice(5));
  const tot = stats.totals;
  const line = (label: string, data: number[], color: string) => ({
    labels,
    datasets: [{ label, data, borderColor: color, backgroundColor: `${color}33`, fill: true, tension: 0.3 }],
  });
  return (
    <Stack>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
        <Stat label={t('dashboard.requests')} value={fmtInt(tot.requests, locale)} />
        <Stat label={t('dashboard.tokens')} value={fmtInt(tot.promptTokens + tot.completionTokens, locale)} />
        <Stat label={t('dashboard.cost')} value={fmtUsd(tot.cost, locale)} />
        <Stat label={t('dashboard.errorRate')} value={fmtPercent(tot.errorRate, locale)} />
        <Stat label={t('dashboard.latencyP50')} value={fmtMs(tot.latencyP50Ms)} />
        <Stat label={t('dashboard.latencyP95')} value={fmtMs(tot.latencyP95Ms)} />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <ChartCard title={t('dashboard.perDay', { what: t('dashboard.requests') })}>
          <Line
            aria-label={t('dashboard.perDay', { what: t('dashboard.requests') })}
            options={options as ChartOptions<'line'>}
            data={line(
              t('dashboard.requests'),
              stats.byDay.map((d) => d.requests),
              '#4c6ef5',
            )}
          />
        </ChartCard>
        <ChartCard title={t('dashboard.perDay', { what: t('dashboard.tokens') })}>
          <Bar
            aria-label={t('dashboard.perDay', { what: t('dashboard.tokens') })}
            options={{
              ...(options as ChartOptions<'bar'>),
              scales: { ...options.scales, x: { ...options.scales?.x, stacked: true }, y: { ...options.scales?.y, stacked: true } },
            }}
            data={{
              labels,
              datasets: [
                { label: t('dashboard.promptTokens'), data: stats.byDay.map((d) => d.promptTokens), backgroundColor: '#4c6ef5' },
                { label: t('dashboard.completionTokens'), data: stats.byDay.map((d) => d.completionTokens), backgroundColor: '#20c997' },
              ],
            }}
          />
        </ChartCard>
        <ChartCard title={t('dashboard.perDay', { what: t('dashboard.cost') })}>
          <Line
            aria-label={t('dashboard.perDay', { what: t('dashboard.cost') })}
            options={withYTicks(options, (v) => fmtUsd(v, locale))}
            data={line(
              t('dashboard.cost'),
              stats.byDay.map((d) => d.cost),
              '#f59f00',
            )}
          />
        </ChartCard>
        <ChartCard title={t('dashboard.perDay', { what: t('dashboard.errorRate') })}>
          <Line
            aria-label={t('dashboard.perDay', { what: t('dashboard.errorRate') })}
            options={withYTicks(options, (v) => fmtPercent(v, locale))}
            data={line(
              t('dashboard.errorRate'),
              stats.byDay.map((d) => d.errorRate),
              '#fa5252',
            )}
          />
        </ChartCard>
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 3 }}>
        <TopTable title={t('dashboard.topModels')} label={t('col.model')} rows={stats.byModel} name={(r) => r.model} />
        <TopTable
          title={t('dashboard.topChannels')}
          label={t('col.channel')}
          rows={stats.byChannel}
          name={(r) => (r.channelId === null ? '—' : `#${r.channelId}`)}
        />
        <TopTable title={t('dashboard.topUsers')} label={t('col.user')} rows={stats.topUsers} name={(r) => (r.userId === null ? '—' : `#${r.userId}`)} />
      </SimpleGrid>
      {stats.byEndpoint && <EndpointBreakdown rows={stats.byEndpoint} />}
    </Stack>
  );
}

function LatestRequests({ rows }: { rows: LogRow[] }) {
  const { t, locale } = useI18n();
  if (rows.length === 0) return <Text c="dimmed">{t('common.none')}</Text>;
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table striped data-testid="latest-requests">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('col.time')}</Table.Th>
            <Table.Th>{t('col.model')}</Table.Th>
            <Table.Th>{t('col.status')}</Table.Th>
            <Table.Th>{t('col.latency')}</Table.Th>
            <Table.Th>{t('col.channel')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.requestId}>
              <Table.Td>{new Date(r.createdAt).toLocaleString(locale)}</Table.Td>
              <Table.Td>{r.model}</Table.Td>
              <Table.Td>{r.status}</Table.Td>
              <Table.Td>{fmtMs(r.latencyMs)}</Table.Td>
              <Table.Td>{r.channelId ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function DashboardPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const [days, setDays] = useState<(typeof PERIODS)[number]>('7');
  const stats = useQuery({
    queryKey: ['stats', days],
    queryFn: async () => (await api('stats.get', { query: { days: Number(days) } })) as unknown as StatsView,
  });
  const logs = useQuery({ queryKey: ['logs', 'latest'], queryFn: async () => (await api('logs.list', { query: { limit: 10 } })).data as unknown as LogRow[] });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.dashboard')}</Title>
        <SegmentedControl
          aria-label={t('dashboard.period')}
          value={days}
          onChange={(v) => setDays(v as typeof days)}
          data={PERIODS.map((p) => ({ value: p, label: t('dashboard.days', { n: p }) }))}
        />
      </Group>
      <QueryState query={stats}>{(s) => <StatsPanels stats={s} />}</QueryState>
      <Card withBorder>
        <Title order={3} size="h5" mb="xs">
          {t('dashboard.latest')}
        </Title>
        <QueryState query={logs}>{(rows) => <LatestRequests rows={rows} />}</QueryState>
      </Card>
    </Stack>
  );
}
