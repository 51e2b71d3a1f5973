import {
  Alert,
  Autocomplete,
  Badge,
  Button,
  Code,
  Group,
  List,
  Modal,
  NumberInput,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import type { Answer, CallArgs } from '../../api/admin-client';
import type { ChannelRow } from '../../api/console-views';
import { fmtInt, fmtUsd } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError, FormActions } from '../../layout/form-actions';
import { ListPagination } from '../../layout/list-pagination';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';
import { modelCoverage, type CoverageChannel, type Unpriced } from './model-coverage';
import { draftAsPrice, emptyPriceDraft, exampleImage, PRICE_FIELDS, priceDraftToBody, priceToDraft, type PriceDraft, type PriceField } from './price-draft';
import { filterPrices, pageOf, type PriceScope } from './price-filter';
import { exampleCost, fmtPrice, type PriceLike } from './price-math';
import { UnitPriceFields, UnitPricesCell } from './price-units.fieldset';
import { usePhone } from '../../layout/use-phone';

type PriceRow = Answer<'prices.list'>['data'][number];

const PAGE_SIZE = 25;
/** How many channel badges a row shows before "+N more" (the rest are in the tooltip). */
const CHANNELS_SHOWN = 3;

function PriceEditor({ draft, isNew, suggestions, onClose }: { draft: PriceDraft; isNew: boolean; suggestions: string[]; onClose: () => void }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [d, setD] = useState<PriceDraft>(draft);
  const set = (f: PriceField, v: number | string) => setD((x) => ({ ...x, [f]: v }));
  // Empty fields are left out on purpose: the API's 400 then names the missing field.
  const save = useMutation({
    mutationFn: () => api('prices.put', { params: { model: d.model.trim() }, body: priceDraftToBody(d) as CallArgs<'prices.put'>['body'] }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['prices'] });
      onClose();
    },
  });
  const price = draftAsPrice(d);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        {isNew ? (
          <Autocomplete
            label={t('prices.model')}
            description={t('prices.modelHint')}
            value={d.model}
            onChange={(v) => setD((x) => ({ ...x, model: v }))}
            data={suggestions}
            required
            data-autofocus
          />
        ) : null}
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          {PRICE_FIELDS.map((f) => (
            <NumberInput
              key={f}
              label={t(`prices.field.${f}`)}
              description={f === 'perRequest' ? t('prices.perRequestHint') : t('prices.perMillion')}
              value={d[f]}
              onChange={(v) => set(f, v)}
              min={0}
              decimalScale={6}
              prefix="$"
              thousandSeparator=","
              // Marked, not `required`: the browser would block the submit, and the API's 400 names the field anyway.
              withAsterisk={f === 'input' || f === 'output'}
              data-autofocus={!isNew && f === 'input' ? true : undefined}
            />
          ))}
        </SimpleGrid>
        <UnitPriceFields draft={d} onChange={(patch) => setD((x) => ({ ...x, ...patch }))} />
        <Paper withBorder p="sm" data-testid="price-example" aria-live="polite">
          <Text size="sm" fw={600}>
            {t('prices.example')}
          </Text>
          <Text size="sm">{t('prices.exampleSmall', { cost: fmtUsd(exampleCost(price, { input: 1000, output: 1000 }), locale) })}</Text>
          <Text size="sm">{t('prices.exampleCached', { cost: fmtUsd(exampleCost(price, { input: 1000, output: 1000, cacheRead: 800 }), locale) })}</Text>
          <Text size="sm">{t('prices.exampleLarge', { cost: fmtUsd(exampleCost(price, { input: 1_000_000, output: 1_000_000 }), locale) })}</Text>
          <UnitExamples price={price} />
          <Text size="xs" c="dimmed">
            {t('prices.exampleNote')}
          </Text>
        </Paper>
        <MutationError error={save.error} />
        <FormActions cancelLabel={t('prices.cancel')} onCancel={onClose} submitLabel={t('prices.save')} loading={save.isPending} />
      </Stack>
    </form>
  );
}

/** The example's unit lines: one per unit the draft prices (an image of its first listed size, else the flat price). */
function UnitExamples({ price }: { price: PriceLike }) {
  const { t, locale } = useI18n();
  const cost = (u: Partial<Parameters<typeof exampleCost>[1]>) => fmtUsd(exampleCost(price, { input: 0, output: 0, ...u }), locale);
  const image = exampleImage(price);
  return (
    <>
      {image.size ? (
        <Text size="sm">
          {t('prices.exampleImage', {
            size: image.quality ? `${image.quality}:${image.size}` : image.size,
            cost: cost({ images: 1, imageSize: image.size, imageQuality: image.quality }),
          })}
        </Text>
      ) : price.perImage ? (
        <Text size="sm">{t('prices.exampleImageFlat', { cost: cost({ images: 1 }) })}</Text>
      ) : null}
      {price.audioInputPerMinute ? <Text size="sm">{t('prices.exampleAudio', { cost: cost({ audioSeconds: 60 }) })}</Text> : null}
      {price.speechPerMillionChars ? <Text size="sm">{t('prices.exampleSpeech', { cost: cost({ characters: 1000 }) })}</Text> : null}
      {price.perSearchUnit ? <Text size="sm">{t('prices.exampleSearch', { cost: cost({ searchUnits: 1000 }) })}</Text> : null}
    </>
  );
}

function RemovePrice({ model, onClose }: { model: string; onClose: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api('prices.delete', { params: { model } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['prices'] });
      onClose();
    },
  });
  return (
    <Stack>
      <Text size="sm">{t('prices.removeBody')}</Text>
      <MutationError error={remove.error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose} data-autofocus>
          {t('prices.cancel')}
        </Button>
        <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
          {t('prices.removeConfirm')}
        </Button>
      </Group>
    </Stack>
  );
}

function ChannelBadges({ channels }: { channels: CoverageChannel[] }) {
  const { t } = useI18n();
  if (!channels.length)
    return (
      <Text size="sm" c="dimmed">
        {t('prices.noChannel')}
      </Text>
    );
  const label = (c: CoverageChannel) => (c.enabled ? c.name : t('prices.channelDisabled', { name: c.name }));
  const rest = channels.slice(CHANNELS_SHOWN);
  return (
    <Group gap={4} wrap="wrap">
      {channels.slice(0, CHANNELS_SHOWN).map((c) => (
        <Badge key={c.id} variant={c.enabled ? 'light' : 'outline'} color={c.enabled ? 'indigo' : 'gray'} tt="none" title={label(c)}>
          {c.name}
        </Badge>
      ))}
      {rest.length > 0 && (
        <Tooltip label={rest.map(label).join(', ')} multiline maw={320}>
          <Badge variant="default" tt="none" tabIndex={0}>
            {t('prices.more', { n: rest.length })}
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}

function UnpricedAlert({ unpriced, onSet }: { unpriced: Unpriced[]; onSet: (model: string) => void }) {
  const { t } = useI18n();
  if (!unpriced.length)
    return (
      <Text size="sm" c="dimmed" data-testid="unpriced-none">
        {t('prices.allPriced')}
      </Text>
    );
  return (
    <Alert color="orange" title={t('prices.unpricedTitle', { n: unpriced.length })} data-testid="unpriced-models">
      <Stack gap="xs">
        <Text size="sm">{t('prices.unpricedBody')}</Text>
        <List spacing={6} listStyleType="none">
          {unpriced.map((u) => (
            <List.Item key={u.model}>
              <Group gap="xs" wrap="wrap">
                <Code>{u.model}</Code>
                <Text size="sm" c="dimmed">
                  {u.wildcard ? `${t('prices.unpricedWildcard')} · ` : ''}
                  {t('prices.via', { channels: u.channels.map((c) => c.name).join(', ') })}
                </Text>
                {!u.wildcard && (
                  <Button
                    size="compact-xs"
                    variant="light"
                    color="orange"
                    onClick={() => onSet(u.model)}
                    aria-label={t('prices.setPriceLabel', { model: u.model })}
                  >
                    {t('prices.setPrice')}
                  </Button>
                )}
              </Group>
            </List.Item>
          ))}
        </List>
      </Stack>
    </Alert>
  );
}

export function PricesPage() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const scope = (['all', 'served', 'custom'].includes(params.get('show') ?? '') ? params.get('show') : 'all') as PriceScope;
  const page = Number(params.get('page') ?? 1);
  // Filters live in the query string, so a filtered view can be bookmarked and shared. Each change starts from the
  // address as it is now, not from this render's params: two quick changes (typing, then a click) must not undo each other.
  const setParam = (k: string, v: string, keepPage = false) => {
    const n = new URLSearchParams(window.location.search);
    if (v && !(k === 'show' && v === 'all') && !(k === 'page' && v === '1')) n.set(k, v);
    else n.delete(k);
    if (!keepPage) n.delete('page');
    setParams(n, { replace: true });
  };
  // What a dialog shows is kept after it closes, so its title does not change during the closing transition.
  const [editing, setEditingValue] = useState<{ draft: PriceDraft; isNew: boolean } | null>(null);
  const [editOpen, setEditOpen] = useState(false);
  const setEditing = (v: { draft: PriceDraft; isNew: boolean }) => {
    setEditingValue(v);
    setEditOpen(true);
  };
  const [removing, setRemovingValue] = useState('');
  const [removeOpen, setRemoveOpen] = useState(false);
  const setRemoving = (model: string) => {
    setRemovingValue(model);
    setRemoveOpen(true);
  };
  const phone = usePhone('36em');

  const data = useQuery({
    queryKey: ['prices', 'with-channels'],
    queryFn: async () => {
      const [prices, channels] = await Promise.all([api('prices.list'), api('channels.list', { query: { limit: 500 } })]);
      return { prices: prices.data, channels: channels.data as unknown as ChannelRow[] };
    },
  });
  const coverage = useMemo(
    () =>
      data.data
        ? modelCoverage(
            data.data.prices.map((p) => p.model),
            data.data.channels,
          )
        : null,
    [data.data],
  );
  const suggestions = useMemo(() => (coverage ? coverage.unpriced.filter((u) => !u.wildcard).map((u) => u.model) : []), [coverage]);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.prices')}</Title>
        <Button onClick={() => setEditing({ draft: emptyPriceDraft(), isNew: true })}>{t('prices.new')}</Button>
      </Group>
      <QueryState query={data}>
        {({ prices }) => {
          const cov = coverage!;
          const served = (m: string) => (cov.servedBy.get(m)?.length ?? 0) > 0;
          const filtered = filterPrices(prices, search, scope, served);
          const shown = pageOf(filtered, page, PAGE_SIZE);
          return (
            <>
              <UnpricedAlert unpriced={cov.unpriced} onSet={(model) => setEditing({ draft: emptyPriceDraft(model), isNew: true })} />
              <Group align="flex-end" wrap="wrap">
                <TextInput
                  label={t('prices.search')}
                  placeholder={t('prices.searchPlaceholder')}
                  value={search}
                  onChange={(e) => setParam('q', e.currentTarget.value)}
                  type="search"
                  w={{ base: '100%', xs: 260 }}
                />
                <Stack gap={4}>
                  <Text size="sm" fw={500} id="prices-scope-label">
                    {t('prices.scope')}
                  </Text>
                  <SegmentedControl
                    aria-labelledby="prices-scope-label"
                    value={scope}
                    onChange={(v) => setParam('show', v)}
                    data={(['all', 'served', 'custom'] as const).map((s) => ({ value: s, label: t(`prices.scope.${s}`) }))}
                  />
                </Stack>
              </Group>
              <Text size="sm" c="dimmed" data-testid="prices-count">
                {t('prices.count', { n: fmtInt(filtered.length, locale) })}
              </Text>
              {filtered.length === 0 ? (
                <Paper withBorder p="lg">
                  <Text c="dimmed" ta="center">
                    {t('prices.empty')}
                  </Text>
                </Paper>
              ) : (
                <Table.ScrollContainer minWidth={1000}>
                  <Table striped highlightOnHover>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('col.model')}</Table.Th>
                        <Table.Th>{t('prices.col.source')}</Table.Th>
                        <Table.Th ta="right">{t('prices.col.input')}</Table.Th>
                        <Table.Th ta="right">{t('prices.col.output')}</Table.Th>
                        <Table.Th ta="right">{t('prices.col.cacheRead')}</Table.Th>
                        <Table.Th ta="right">{t('prices.col.cacheWrite')}</Table.Th>
                        <Table.Th ta="right">{t('prices.col.perRequest')}</Table.Th>
                        <Table.Th>{t('prices.col.channels')}</Table.Th>
                        <Table.Th>{t('col.actions')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {shown.rows.map((p: PriceRow) => (
                        <Table.Tr key={p.model} data-testid={`price-${p.model}`}>
                          <Table.Td>
                            <Text size="sm" ff="monospace">
                              {p.model}
                            </Text>
                            {/* unit prices under the name (dimmed), as the logs share cells: the table keeps a laptop's width */}
                            <UnitPricesCell price={p} />
                          </Table.Td>
                          <Table.Td>
                            <Tooltip label={p.builtin ? t('prices.builtinHint') : t('prices.customHint')}>
                              <Badge variant={p.builtin ? 'default' : 'light'} color={p.builtin ? 'gray' : 'teal'} tt="none" tabIndex={0}>
                                {p.builtin ? t('prices.builtin') : t('prices.custom')}
                              </Badge>
                            </Tooltip>
                          </Table.Td>
                          {(['input', 'output', 'cacheRead', 'cacheWrite', 'perRequest'] as const).map((f) => (
                            <Table.Td key={f} ta="right" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
                              {fmtPrice(p[f], locale)}
                            </Table.Td>
                          ))}
                          <Table.Td>
                            <ChannelBadges channels={cov.servedBy.get(p.model) ?? []} />
                          </Table.Td>
                          <Table.Td>
                            <Group gap="xs" wrap="nowrap">
                              <Button
                                size="xs"
                                variant="light"
                                onClick={() => setEditing({ draft: priceToDraft(p), isNew: false })}
                                aria-label={t('prices.editLabel', { model: p.model })}
                              >
                                {t('prices.edit')}
                              </Button>
                              {!p.builtin && (
                                <Button
                                  size="xs"
                                  variant="subtle"
                                  color="red"
                                  onClick={() => setRemoving(p.model)}
                                  aria-label={t('prices.removeLabel', { model: p.model })}
                                >
                                  {t('prices.remove')}
                                </Button>
                              )}
                            </Group>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
              {shown.pages > 1 && (
                <Group justify="center">
                  <ListPagination total={shown.pages} value={shown.page} onChange={(n) => setParam('page', String(n), true)} />
                </Group>
              )}
            </>
          );
        }}
      </QueryState>
      <Modal
        opened={editOpen}
        onClose={() => setEditOpen(false)}
        title={editing?.isNew ? t('prices.newTitle') : t('prices.editTitle', { model: editing?.draft.model ?? '' })}
        size="lg"
        fullScreen={phone}
      >
        {editing && (
          <PriceEditor
            key={`${editing.draft.model}-${String(editing.isNew)}`}
            draft={editing.draft}
            isNew={editing.isNew}
            suggestions={suggestions}
            onClose={() => setEditOpen(false)}
          />
        )}
      </Modal>
      <Modal opened={removeOpen} onClose={() => setRemoveOpen(false)} title={t('prices.removeTitle', { model: removing })}>
        {removing && <RemovePrice model={removing} onClose={() => setRemoveOpen(false)} />}
      </Modal>
    </Stack>
  );
}
