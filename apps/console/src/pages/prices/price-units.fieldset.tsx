import { ActionIcon, Button, Fieldset, Group, NumberInput, SimpleGrid, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { Fragment, type ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n.context';
import { UNIT_FIELDS, type PriceDraft, type SizeRow, type UnitField } from './price-draft';
import { fmtPrice, type PriceLike } from './price-math';

const UNIT_HINTS = {
  perImage: 'prices.perImageHint',
  audioInputPerMinute: 'prices.audioHint',
  speechPerMillionChars: 'prices.speechHint',
  perSearchUnit: 'prices.searchHint',
} as const;

/** The editor's unit prices (SPEC §8): four amounts and the by-size image prices as size/price rows. */
export function UnitPriceFields({ draft, onChange }: { draft: PriceDraft; onChange: (patch: Partial<PriceDraft>) => void }) {
  const { t } = useI18n();
  const rows = draft.bySize;
  const setRow = (i: number, patch: Partial<SizeRow>) => onChange({ bySize: rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  return (
    <Fieldset legend={t('prices.units')} data-testid="price-units">
      <Stack gap="sm">
        <Text size="xs" c="dimmed">
          {t('prices.unitsHint')}
        </Text>
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          {UNIT_FIELDS.map((f: UnitField) => (
            <NumberInput
              key={f}
              label={t(`prices.field.${f}`)}
              description={t(UNIT_HINTS[f])}
              value={draft[f]}
              onChange={(v) => onChange({ [f]: v })}
              min={0}
              decimalScale={6}
              prefix="$"
              thousandSeparator=","
            />
          ))}
        </SimpleGrid>
        <Text size="sm" fw={500} id="price-by-size-label">
          {t('prices.bySize')}
        </Text>
        <Text size="xs" c="dimmed">
          {t('prices.bySizeHint')}
        </Text>
        {rows.map((r, i) => (
          <Group key={i} gap="xs" wrap="nowrap" align="flex-start">
            <TextInput
              aria-label={`${t('prices.bySize.key')} ${i + 1}`}
              placeholder="hd:1024x1024"
              value={r.key}
              onChange={(e) => setRow(i, { key: e.currentTarget.value })}
              flex={1}
              miw={0}
              ff="monospace"
            />
            <NumberInput
              aria-label={`${t('prices.bySize.price')} ${i + 1}`}
              placeholder={t('prices.bySize.price')}
              value={r.price}
              onChange={(v) => setRow(i, { price: v })}
              min={0}
              decimalScale={6}
              prefix="$"
              flex={1}
              miw={0}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              size="lg"
              aria-label={t('prices.bySize.remove', { n: i + 1 })}
              onClick={() => onChange({ bySize: rows.filter((_, j) => j !== i) })}
            >
              ✕
            </ActionIcon>
          </Group>
        ))}
        <Group>
          <Button size="xs" variant="light" onClick={() => onChange({ bySize: [...rows, { key: '', price: '' }] })}>
            {t('prices.bySize.add')}
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}

/**
 * A price's units in the prices list, under the model: each unit price set, one short dimmed line each (the by-size
 * prices as their count and range, every size in a tooltip); nothing when the model is priced in tokens only.
 */
export function UnitPricesCell({ price }: { price: PriceLike }) {
  const { t, locale } = useI18n();
  const usd = (n: number) => fmtPrice(n, locale);
  const set = (v: number | null | undefined): v is number => v !== null && v !== undefined;
  const sizes = Object.entries(price.perImageBySize ?? {});
  const lines: ReactNode[] = [];
  if (set(price.perImage)) lines.push(t('prices.unit.image', { price: usd(price.perImage) }));
  if (sizes.length) {
    const amounts = sizes.map(([, p]) => p);
    const [lo, hi] = [Math.min(...amounts), Math.max(...amounts)];
    lines.push(
      <Tooltip
        label={sizes.map(([size, p]) => t('prices.unit.imageSize', { size, price: usd(p) })).join(' · ')}
        multiline
        maw={320}
        events={{ hover: true, focus: true, touch: true }}
      >
        <Text size="xs" tabIndex={0} td="underline dotted" data-testid="price-sizes">
          {t('prices.unit.sizes', { n: sizes.length, range: lo === hi ? usd(lo) : `${usd(lo)}–${usd(hi)}` })}
        </Text>
      </Tooltip>,
    );
  }
  if (set(price.audioInputPerMinute)) lines.push(t('prices.unit.audio', { price: usd(price.audioInputPerMinute) }));
  if (set(price.speechPerMillionChars)) lines.push(t('prices.unit.speech', { price: usd(price.speechPerMillionChars) }));
  if (set(price.perSearchUnit)) lines.push(t('prices.unit.search', { price: usd(price.perSearchUnit) }));
  if (!lines.length) return null;
  return (
    <Stack gap={0} c="dimmed" data-testid="price-units-cell" style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
      {lines.map((l, i) =>
        typeof l === 'string' ? (
          <Text key={i} size="xs">
            {l}
          </Text>
        ) : (
          <Fragment key={i}>{l}</Fragment>
        ),
      )}
    </Stack>
  );
}
