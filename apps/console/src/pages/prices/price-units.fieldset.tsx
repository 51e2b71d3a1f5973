import { ActionIcon, Button, Fieldset, Group, NumberInput, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
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

/** The prices list's unit column: each unit price set, one per line; a dash when the model is priced in tokens only. */
export function UnitPricesCell({ price }: { price: PriceLike }) {
  const { t, locale } = useI18n();
  const usd = (n: number) => fmtPrice(n, locale);
  const lines: string[] = [];
  if (price.perImage !== null && price.perImage !== undefined) lines.push(t('prices.unit.image', { price: usd(price.perImage) }));
  for (const [size, p] of Object.entries(price.perImageBySize ?? {})) lines.push(t('prices.unit.imageSize', { size, price: usd(p) }));
  if (price.audioInputPerMinute !== null && price.audioInputPerMinute !== undefined)
    lines.push(t('prices.unit.audio', { price: usd(price.audioInputPerMinute) }));
  if (price.speechPerMillionChars !== null && price.speechPerMillionChars !== undefined)
    lines.push(t('prices.unit.speech', { price: usd(price.speechPerMillionChars) }));
  if (price.perSearchUnit !== null && price.perSearchUnit !== undefined) lines.push(t('prices.unit.search', { price: usd(price.perSearchUnit) }));
  if (!lines.length)
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  return (
    <Stack gap={0}>
      {lines.map((l) => (
        <Text key={l} size="xs" style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
          {l}
        </Text>
      ))}
    </Stack>
  );
}
