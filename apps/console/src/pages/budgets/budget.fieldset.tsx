import { Fieldset, NumberInput, Select, SimpleGrid, Switch, Text } from '@mantine/core';
import { fmtDateTime, fmtUsd } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import type { BudgetAnswer, BudgetDraft } from './budget-draft';

/** The budget of a user, token or group in its form: on/off, amount, period, soft limit, and the current spend. */
export function BudgetFieldset({ draft, onChange, current }: { draft: BudgetDraft; onChange: (d: BudgetDraft) => void; current?: BudgetAnswer | null }) {
  const { t, locale } = useI18n();
  const set = <K extends keyof BudgetDraft>(k: K, v: BudgetDraft[K]) => onChange({ ...draft, [k]: v });
  return (
    <Fieldset legend={t('budget.legend')} variant="filled">
      <Switch label={t('budget.enabled')} description={t('budget.hint')} checked={draft.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
      {draft.enabled && (
        <SimpleGrid cols={{ base: 1, sm: 3 }} mt="sm">
          <NumberInput label={t('budget.amount')} prefix="$" decimalScale={6} min={0} value={draft.amount} onChange={(v) => set('amount', v)} required />
          <Select
            label={t('budget.period')}
            data={[
              { value: 'day', label: t('budget.period.day') },
              { value: 'week', label: t('budget.period.week') },
              { value: 'month', label: t('budget.period.month') },
            ]}
            value={draft.period}
            onChange={(v) => set('period', (v ?? 'month') as BudgetDraft['period'])}
            allowDeselect={false}
          />
          <NumberInput
            label={t('budget.softLimit')}
            description={t('budget.softLimitHint')}
            prefix="$"
            decimalScale={6}
            min={0}
            value={draft.softLimit}
            onChange={(v) => set('softLimit', v)}
          />
        </SimpleGrid>
      )}
      {current && (
        <Text size="sm" c="dimmed" mt="sm" data-testid="budget-spend">
          {t('budget.spent', { spent: fmtUsd(current.spent, locale), amount: fmtUsd(current.amount, locale), resets: fmtDateTime(current.resetsAt, locale) })}
        </Text>
      )}
    </Fieldset>
  );
}
