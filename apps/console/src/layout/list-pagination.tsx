import { Pagination, type PaginationProps } from '@mantine/core';
import { useI18n } from '../i18n/i18n.context';

/** Mantine's Pagination with named arrow buttons (a screen reader otherwise hears four unnamed buttons). */
export function ListPagination(props: PaginationProps) {
  const { t } = useI18n();
  return <Pagination getControlProps={(control) => ({ 'aria-label': t(`common.page.${control}`) })} {...props} />;
}
