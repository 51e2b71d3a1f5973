import { Alert, Button, Group, Modal, NumberInput, Progress, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { fmtInt } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { useSession } from '../../session/session.context';
import { collectLogs, ExportCancelled } from './log-export';
import { activeFilterCount, type LogFilter } from './log-filters';
import { csvFileName, logsToCsv } from './logs-csv';

const MAX_ROWS = 100_000;
const DEFAULT_CAP = 10_000;

type Phase =
  | { kind: 'idle' }
  | { kind: 'running'; rows: number; total: number }
  | { kind: 'done'; rows: number; total: number; capped: boolean }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string };

/** Hands a text file to the browser's downloads (a Blob URL on a temporary link; nothing goes back to the server). */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** CSV of the current filter, fetched page by page through the cursor with progress, a row cap and a cancel. */
export function LogExportModal({ opened, onClose, filter, total }: { opened: boolean; onClose: () => void; filter: LogFilter; total: number }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const [cap, setCap] = useState<number>(DEFAULT_CAP);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const abort = useRef<AbortController | null>(null);
  const running = phase.kind === 'running';

  useEffect(() => {
    if (opened) setPhase({ kind: 'idle' });
  }, [opened]);
  // Leaving the page stops a running export.
  useEffect(() => () => abort.current?.abort(), []);

  const start = async () => {
    const ctl = new AbortController();
    abort.current = ctl;
    setPhase({ kind: 'running', rows: 0, total: Math.min(total, cap) });
    try {
      const out = await collectLogs({
        cap,
        signal: ctl.signal,
        fetchPage: (cursor, limit) => api('logs.list', { query: { ...filter, limit, cursor } }),
        onProgress: (p) => setPhase({ kind: 'running', ...p }),
      });
      download(csvFileName(new Date()), logsToCsv(out.rows));
      setPhase({ kind: 'done', rows: out.rows.length, total: out.total, capped: out.capped });
    } catch (e) {
      setPhase(e instanceof ExportCancelled ? { kind: 'cancelled' } : { kind: 'failed', message: e instanceof Error ? e.message : String(e) });
    } finally {
      abort.current = null;
    }
  };
  const close = () => {
    abort.current?.abort();
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title={t('logs.exportTitle')} closeOnClickOutside={!running}>
      <Stack>
        <Text size="sm">{t('logs.exportBody', { n: fmtInt(total, locale) })}</Text>
        {activeFilterCount(filter) === 0 && (
          <Text size="sm" c="dimmed">
            {t('logs.exportNoFilter')}
          </Text>
        )}
        <NumberInput
          label={t('logs.exportCap')}
          description={t('logs.exportCapHint', { max: fmtInt(MAX_ROWS, locale) })}
          value={cap}
          min={1}
          max={MAX_ROWS}
          step={1000}
          clampBehavior="strict"
          allowDecimal={false}
          thousandSeparator=","
          disabled={running}
          onChange={(v) => setCap(typeof v === 'number' && v >= 1 ? v : DEFAULT_CAP)}
        />
        {phase.kind === 'running' && (
          <Stack gap={4}>
            <Progress
              value={phase.total === 0 ? 0 : (100 * phase.rows) / phase.total}
              animated
              aria-label={t('logs.exportProgressLabel')}
              data-testid="export-progress"
            />
            <Text size="sm" c="dimmed" role="status">
              {t('logs.exportProgress', { rows: fmtInt(phase.rows, locale), total: fmtInt(phase.total, locale) })}
            </Text>
          </Stack>
        )}
        {phase.kind === 'done' && (
          <Alert color={phase.capped ? 'yellow' : 'green'} role="status" data-testid="export-result">
            {phase.capped
              ? t('logs.exportCapped', { n: fmtInt(phase.rows, locale), total: fmtInt(phase.total, locale) })
              : t('logs.exportDone', { n: phase.rows })}
          </Alert>
        )}
        {phase.kind === 'cancelled' && (
          <Alert color="gray" role="status">
            {t('logs.exportCancelled')}
          </Alert>
        )}
        {phase.kind === 'failed' && (
          <Alert color="red" role="alert">
            {t('logs.exportFailed', { message: phase.message })}
          </Alert>
        )}
        <Group justify="flex-end">
          {running ? (
            <Button variant="default" onClick={() => abort.current?.abort()}>
              {t('logs.exportCancel')}
            </Button>
          ) : (
            <Button variant="default" onClick={close}>
              {t('logs.exportClose')}
            </Button>
          )}
          <Button onClick={() => void start()} loading={running}>
            {t('logs.exportStart')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
