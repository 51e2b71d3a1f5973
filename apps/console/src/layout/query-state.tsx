import { Alert, Button, Center, Loader } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.context';

/** A query's loading and error states, the same on every page; the children render once data is there. */
export function QueryState<T>({ query, children }: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  const { t } = useI18n();
  if (query.isPending)
    return (
      <Center p="lg">
        <Loader size="sm" aria-label={t('common.loading')} />
      </Center>
    );
  if (query.isError)
    return (
      <Alert color="red" role="alert" title={t('common.error', { message: query.error.message })}>
        <Button size="xs" variant="light" onClick={() => void query.refetch()}>
          {t('common.retry')}
        </Button>
      </Alert>
    );
  return <>{children(query.data)}</>;
}
