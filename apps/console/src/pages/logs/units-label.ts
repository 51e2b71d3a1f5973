import { fmtInt } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { unitParts, type LogUnits } from './log-view';

/** "2 images · 90.5 s of audio": the units of a record in the reader's language; empty when none. */
export function useUnitsLabel(): (units: LogUnits | null | undefined) => string {
  const { t, locale } = useI18n();
  return (units) =>
    unitParts(units)
      .map(([k, n]) => t(`logs.unit.${k}`, { n: fmtInt(n, locale) }))
      .join(' · ');
}
