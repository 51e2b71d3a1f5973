import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { fmtDateTime, fmtUsd } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError } from '../../layout/form-actions';
import { ListPagination } from '../../layout/list-pagination';
import type { MessageKey } from '../../i18n/messages';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import { csvFileName, generatedCodesCsv, readAllPages, redemptionListCsv, type GeneratedCode, type RedemptionRow } from './redemption-csv';

const PAGE_SIZE = 25;
const FILTERS = ['all', 'unused', 'used', 'expired'] as const;
type Filter = (typeof FILTERS)[number];
const STATUS_COLOR: Record<string, string> = { unused: 'green', used: 'gray', expired: 'red' };

/** Saves text as a file through a temporary link (no server round trip; the CSP allows blob: downloads). */
function downloadText(fileName: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function GenerateCard({ onGenerated }: { onGenerated: (codes: GeneratedCode[]) => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [value, setValue] = useState<number | string>(10);
  const [count, setCount] = useState<number | string>(10);
  const [neverExpires, setNeverExpires] = useState(true);
  const [expiresAt, setExpiresAt] = useState('');
  const generate = useMutation({
    mutationFn: () => {
      const when = new Date(expiresAt);
      return api('redemptions.create', {
        body: {
          // Partial input ("-", "") goes as NaN-free values the API refuses by name, never as a silent default.
          value: typeof value === 'number' ? value : Number(value),
          count: typeof count === 'number' ? count : Number(count),
          expiresAt: neverExpires ? null : Number.isNaN(when.getTime()) ? expiresAt : when.toISOString(),
        },
      });
    },
    onSuccess: async (res) => {
      await queryClient.invalidateQueries({ queryKey: ['redemptions'] });
      onGenerated(res.data);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    generate.mutate();
  };
  return (
    <Card withBorder>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={3} size="h4">
            {t('redemptions.generateTitle')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('redemptions.expiresAtHint')}
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NumberInput
              label={t('redemptions.value')}
              prefix="$"
              decimalScale={6}
              thousandSeparator
              clampBehavior="none"
              value={value}
              onChange={setValue}
              required
            />
            <NumberInput label={t('redemptions.countField')} allowDecimal={false} clampBehavior="none" value={count} onChange={setCount} required />
            <Stack gap={8}>
              <TextInput
                type="datetime-local"
                label={t('redemptions.expiresAt')}
                value={expiresAt}
                onChange={(e) => setExpiresAt(e.currentTarget.value)}
                disabled={neverExpires}
                required={!neverExpires}
              />
              <Checkbox label={t('redemptions.neverExpires')} checked={neverExpires} onChange={(e) => setNeverExpires(e.currentTarget.checked)} />
            </Stack>
          </SimpleGrid>
          <MutationError error={generate.error} />
          <Group justify="flex-end">
            <Button type="submit" loading={generate.isPending}>
              {t('redemptions.generate')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** The new codes, the only time they exist in clear: copy-all and a CSV of exactly these. */
function GeneratedModal({ codes, onClose }: { codes: GeneratedCode[] | null; onClose: () => void }) {
  const { t, locale } = useI18n();
  return (
    <Modal
      opened={codes !== null}
      onClose={onClose}
      title={codes ? t('redemptions.generatedTitle', { n: codes.length }) : ''}
      size="xl"
      closeOnClickOutside={false}
      closeOnEscape={false}
    >
      {codes && (
        <Stack>
          <Alert color="yellow" role="alert">
            {t('redemptions.generatedWarning')}
          </Alert>
          <Table.ScrollContainer minWidth={520} mah={360}>
            <Table striped data-testid="generated-codes">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>#</Table.Th>
                  <Table.Th>{t('redemptions.col.code')}</Table.Th>
                  <Table.Th>{t('redemptions.col.value')}</Table.Th>
                  <Table.Th>{t('redemptions.col.expires')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {codes.map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>{c.id}</Table.Td>
                    <Table.Td>
                      <Code>{c.code}</Code>
                    </Table.Td>
                    <Table.Td>{fmtUsd(c.value, locale)}</Table.Td>
                    <Table.Td>{c.expiresAt ? fmtDateTime(c.expiresAt, locale) : t('redemptions.never')}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="space-between">
            <Group gap="xs">
              <CopyButton value={codes.map((c) => c.code).join('\n')}>
                {({ copied, copy }) => (
                  <Button variant="light" color={copied ? 'teal' : undefined} onClick={copy}>
                    {copied ? t('redemptions.copied') : t('redemptions.copyAll')}
                  </Button>
                )}
              </CopyButton>
              <Button variant="light" onClick={() => downloadText(csvFileName('codes', new Date()), generatedCodesCsv(codes))}>
                {t('redemptions.downloadCsv')}
              </Button>
            </Group>
            <Button onClick={onClose}>{t('redemptions.done')}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

export function RedemptionsPage() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const [params, setParams] = useSearchParams();
  const filter: Filter = (FILTERS as readonly string[]).includes(params.get('status') ?? '') ? (params.get('status') as Filter) : 'all';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const status = filter === 'all' ? undefined : filter;
  const setView = (f: Filter, p: number) => {
    const next = new URLSearchParams();
    if (f !== 'all') next.set('status', f);
    if (p > 1) next.set('page', String(p));
    setParams(next, { replace: true });
  };
  const [generated, setGenerated] = useState<GeneratedCode[] | null>(null);
  const users = useQuery({ queryKey: ['users', 'all'], queryFn: () => api('users.list', { query: { limit: 500 } }) });
  const userName = (id: number) => users.data?.data.find((u) => u.id === id)?.name;
  const list = useQuery({
    queryKey: ['redemptions', { status, page }],
    queryFn: async () => {
      const res = await api('redemptions.list', { query: { status, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } });
      return { rows: res.data as unknown as RedemptionRow[], total: res.total };
    },
    placeholderData: keepPreviousData,
  });
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const exportCsv = useMutation({
    mutationFn: async () => {
      setProgress({ loaded: 0, total: list.data?.total ?? 0 });
      const rows = await readAllPages(
        async (offset, limit) => {
          const res = await api('redemptions.list', { query: { status, limit, offset } });
          return { data: res.data as unknown as RedemptionRow[], total: res.total };
        },
        (loaded, total) => setProgress({ loaded, total }),
      );
      downloadText(csvFileName('list', new Date()), redemptionListCsv(rows, userName));
    },
    onSettled: () => setProgress(null),
  });
  return (
    <Stack>
      <Title order={2}>{t('nav.redemptions')}</Title>
      <GenerateCard onGenerated={setGenerated} />
      <Card withBorder>
        <Stack>
          <Group justify="space-between" wrap="wrap">
            <Title order={3} size="h4">
              {t('redemptions.listTitle')}
            </Title>
            <Group gap="xs" wrap="wrap">
              <SegmentedControl
                aria-label={t('redemptions.filter')}
                data-testid="redemption-filter"
                styles={{ label: { textTransform: 'capitalize' } }}
                data={FILTERS.map((f) => ({ value: f, label: f === 'all' ? t('redemptions.all') : t(`redemptions.status.${f}` as MessageKey) }))}
                value={filter}
                onChange={(v) => setView(v as Filter, 1)}
              />
              <Button variant="light" onClick={() => exportCsv.mutate()} loading={exportCsv.isPending} disabled={!list.data?.total}>
                {t('redemptions.exportCsv')}
              </Button>
            </Group>
          </Group>
          {progress && (
            <Text size="sm" role="status">
              {t('redemptions.exporting', { loaded: progress.loaded, total: progress.total })}
            </Text>
          )}
          {exportCsv.isError && (
            <Alert color="red" role="alert">
              {t('redemptions.exportFailed', { message: exportCsv.error.message })}
            </Alert>
          )}
          <QueryState query={list}>
            {({ rows, total }) => (
              <>
                <Text size="sm" c="dimmed">
                  {t('redemptions.count', { n: total })} · {t('redemptions.listHint')}
                </Text>
                {rows.length === 0 ? (
                  <Alert variant="light" color="gray">
                    {t('redemptions.empty')}
                  </Alert>
                ) : (
                  <Table.ScrollContainer minWidth={760}>
                    <Table striped highlightOnHover>
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>#</Table.Th>
                          <Table.Th>{t('redemptions.col.value')}</Table.Th>
                          <Table.Th>{t('col.status')}</Table.Th>
                          <Table.Th>{t('redemptions.col.usedBy')}</Table.Th>
                          <Table.Th>{t('redemptions.col.usedAt')}</Table.Th>
                          <Table.Th>{t('redemptions.col.expires')}</Table.Th>
                          <Table.Th>{t('redemptions.col.created')}</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {rows.map((r) => (
                          <Table.Tr key={r.id} data-testid={`redemption-${r.id}`}>
                            <Table.Td>{r.id}</Table.Td>
                            <Table.Td>{fmtUsd(r.value, locale)}</Table.Td>
                            <Table.Td>
                              <Badge color={STATUS_COLOR[r.status] ?? 'yellow'} variant="light">
                                {r.status in STATUS_COLOR ? t(`redemptions.status.${r.status}` as MessageKey) : r.status}
                              </Badge>
                            </Table.Td>
                            <Table.Td>{r.usedByUserId === null ? '—' : `${userName(r.usedByUserId) ?? ''} (#${r.usedByUserId})`.trim()}</Table.Td>
                            <Table.Td>{fmtDateTime(r.usedAt, locale)}</Table.Td>
                            <Table.Td>{r.expiresAt ? fmtDateTime(r.expiresAt, locale) : t('redemptions.never')}</Table.Td>
                            <Table.Td>{fmtDateTime(r.createdAt, locale)}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                )}
                {total > PAGE_SIZE && (
                  <Group justify="center">
                    <ListPagination total={Math.ceil(total / PAGE_SIZE)} value={page} onChange={(p) => setView(filter, p)} />
                  </Group>
                )}
              </>
            )}
          </QueryState>
        </Stack>
      </Card>
      <GeneratedModal codes={generated} onClose={() => setGenerated(null)} />
    </Stack>
  );
}
