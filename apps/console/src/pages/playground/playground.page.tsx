import {
  Alert,
  Anchor,
  Autocomplete,
  Button,
  Card,
  Grid,
  Group,
  NumberInput,
  Paper,
  ScrollArea,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router';
import { fmtInt, fmtMs } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { useSession } from '../../session/session.context';
import {
  answerOfJson,
  chatRequestBody,
  errorMessageOf,
  offeredModels,
  readChatStream,
  type ChatAnswer,
  type ChatMessage,
  type ChatOptions,
} from './chat-stream';

/** One exchange of the transcript: what was asked, what came back so far, and how it went. */
interface Turn {
  user: string;
  answer: string;
  reasoning: string;
  state: 'running' | 'done' | 'stopped' | 'failed';
  error?: string;
  requestId?: string;
  ttftMs?: number;
  totalMs?: number;
  result?: ChatAnswer;
}

const PLAYGROUND_PATH = '/api/playground/chat/completions';

function TurnView({ turn }: { turn: Turn }) {
  const { t, locale } = useI18n();
  const stats = turn.result?.usage
    ? t('playground.stats', {
        prompt: fmtInt(turn.result.usage.promptTokens, locale),
        completion: fmtInt(turn.result.usage.completionTokens, locale),
        ttft: fmtMs(turn.ttftMs),
        total: fmtMs(turn.totalMs),
      })
    : t('playground.statsNoUsage', { ttft: fmtMs(turn.ttftMs), total: fmtMs(turn.totalMs) });
  return (
    <Stack gap={6}>
      <Paper p="sm" withBorder bg="var(--mantine-color-default-hover)">
        <Text size="xs" fw={700} c="dimmed">
          {t('playground.you')}
        </Text>
        <Text style={{ whiteSpace: 'pre-wrap' }}>{turn.user}</Text>
      </Paper>
      <Paper p="sm" withBorder data-testid="assistant-turn" data-state={turn.state}>
        <Text size="xs" fw={700} c="dimmed">
          {t('playground.assistant')}
        </Text>
        {turn.reasoning && (
          <Text size="sm" c="dimmed" fs="italic" style={{ whiteSpace: 'pre-wrap' }} aria-label={t('playground.reasoning')}>
            {turn.reasoning}
          </Text>
        )}
        <Text style={{ whiteSpace: 'pre-wrap' }} data-testid="assistant-text" aria-live="polite">
          {turn.answer}
          {turn.state === 'running' && <span aria-hidden="true">▍</span>}
        </Text>
        {turn.state === 'failed' && (
          <Alert color="red" role="alert" mt="xs" p="xs">
            {t('playground.failed', { message: turn.error ?? '' })}
          </Alert>
        )}
        {turn.state === 'stopped' && (
          <Text size="sm" c="orange">
            {t('playground.stopped')}
          </Text>
        )}
        {turn.state !== 'running' && (
          <Group gap="xs" mt={4}>
            {turn.state === 'done' && (
              <Text size="xs" c="dimmed" data-testid="turn-stats">
                {stats}
                {turn.result?.finishReason && turn.result.finishReason !== 'stop' ? ` · ${t('playground.finish', { reason: turn.result.finishReason })}` : ''}
              </Text>
            )}
            {turn.requestId && (
              <Anchor component={Link} to={`/logs/${turn.requestId}`} size="xs">
                {t('playground.request', { id: turn.requestId })}
              </Anchor>
            )}
          </Group>
        )}
      </Paper>
    </Stack>
  );
}

/** SPEC §8 `/playground`: a chat streamed through the gateway as a chosen token and model. */
export function PlaygroundPage() {
  const { t } = useI18n();
  const { api, sessionFetch } = useSession();
  const [tokenId, setTokenId] = useState<string | null>(null);
  const [options, setOptions] = useState<ChatOptions>({ model: '', system: '', temperature: null, maxTokens: null, stream: true });
  const [draft, setDraft] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const running = turns.at(-1)?.state === 'running';

  const tokens = useQuery({ queryKey: ['tokens', 'playground'], queryFn: () => api('tokens.list', { query: { limit: 500 } }) });
  const models = useQuery({
    queryKey: ['playground-models'],
    queryFn: async () => {
      const [channels, aliases] = await Promise.all([api('channels.list', { query: { limit: 500 } }), api('aliases.list')]);
      return offeredModels(
        channels.data.map((c) => (c as { models?: string[] }).models ?? []),
        aliases.data.map((a) => a.name),
      );
    },
  });

  // Braces: newer browsers return a promise from scrollIntoView, and an effect must return nothing or a cleanup.
  useEffect(() => {
    void bottom.current?.scrollIntoView({ block: 'end' });
  }, [turns]);
  useEffect(() => () => abort.current?.abort(), []);

  const update = (patch: Partial<Turn>) => setTurns((all) => [...all.slice(0, -1), { ...all[all.length - 1], ...patch }]);

  async function send() {
    const text = draft.trim();
    if (!text || running) return;
    if (!tokenId || !options.model.trim()) {
      setProblem(t('playground.needTokenAndModel'));
      return;
    }
    setProblem(null);
    const history: ChatMessage[] = turns
      .filter((x) => x.state === 'done')
      .flatMap((x) => [
        { role: 'user' as const, content: x.user },
        { role: 'assistant' as const, content: x.answer },
      ]);
    history.push({ role: 'user', content: text });
    setDraft('');
    setTurns((all) => [...all, { user: text, answer: '', reasoning: '', state: 'running' }]);
    const controller = new AbortController();
    abort.current = controller;
    const started = performance.now();
    let ttftMs: number | undefined;
    try {
      const res = await sessionFetch(PLAYGROUND_PATH, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-switchboard-token-id': tokenId },
        body: JSON.stringify(chatRequestBody({ ...options, model: options.model.trim() }, history)),
        signal: controller.signal,
      });
      const requestId = res.headers.get('x-request-id') ?? undefined;
      update({ requestId });
      if (!res.ok) throw new Error(await errorMessageOf(res));
      let result: ChatAnswer;
      if (options.stream && res.body && (res.headers.get('content-type') ?? '').includes('text/event-stream')) {
        result = await readChatStream(res.body, (piece) => {
          ttftMs ??= performance.now() - started;
          setTurns((all) => {
            const last = all[all.length - 1];
            return [...all.slice(0, -1), { ...last, answer: last.answer + (piece.content ?? ''), reasoning: last.reasoning + (piece.reasoning ?? '') }];
          });
        });
      } else {
        result = answerOfJson(await res.json());
        ttftMs = performance.now() - started;
      }
      update({ state: 'done', answer: result.content, reasoning: result.reasoning, result, ttftMs, totalMs: performance.now() - started });
    } catch (e) {
      if (controller.signal.aborted) update({ state: 'stopped', totalMs: performance.now() - started });
      else update({ state: 'failed', error: (e as Error).message, totalMs: performance.now() - started });
    } finally {
      abort.current = null;
    }
  }

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void send();
    }
  };

  const tokenOptions = (tokens.data?.data ?? []).map((tk) => ({
    value: String(tk.id),
    label: `${tk.name} (#${tk.id})${tk.status === 'active' ? '' : ` · ${tk.status}`}`,
  }));

  return (
    <Stack>
      <Title order={2}>{t('nav.playground')}</Title>
      <Text size="sm" c="dimmed">
        {t('playground.intro')}
      </Text>
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder>
            <Stack gap="sm">
              <Select
                label={t('playground.token')}
                placeholder={t('playground.tokenPlaceholder')}
                data={tokenOptions}
                value={tokenId}
                onChange={setTokenId}
                searchable
                nothingFoundMessage={t('playground.noTokens')}
                error={tokens.isError ? tokens.error.message : undefined}
              />
              {tokens.isSuccess && tokenOptions.length === 0 && (
                <Text size="sm" c="dimmed">
                  {t('playground.noTokens')}
                </Text>
              )}
              <Autocomplete
                label={t('playground.model')}
                description={t('playground.modelHint')}
                data={models.data ?? []}
                value={options.model}
                onChange={(model) => setOptions((o) => ({ ...o, model }))}
              />
              <Textarea
                label={t('playground.system')}
                autosize
                minRows={2}
                maxRows={6}
                value={options.system}
                onChange={(e) => {
                  const system = e.currentTarget.value;
                  setOptions((o) => ({ ...o, system }));
                }}
              />
              <Group grow>
                <NumberInput
                  label={t('playground.temperature')}
                  placeholder={t('playground.default')}
                  min={0}
                  max={2}
                  step={0.1}
                  decimalScale={2}
                  value={options.temperature ?? ''}
                  onChange={(v) => setOptions((o) => ({ ...o, temperature: v === '' ? null : Number(v) }))}
                />
                <NumberInput
                  label={t('playground.maxTokens')}
                  placeholder={t('playground.default')}
                  min={1}
                  allowDecimal={false}
                  value={options.maxTokens ?? ''}
                  onChange={(v) => setOptions((o) => ({ ...o, maxTokens: v === '' ? null : Number(v) }))}
                />
              </Group>
              <Switch
                label={t('playground.stream')}
                checked={options.stream}
                onChange={(e) => setOptions((o) => ({ ...o, stream: e.currentTarget.checked }))}
              />
            </Stack>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Card withBorder>
            <Stack gap="sm">
              <ScrollArea.Autosize mah="55vh" type="auto">
                {turns.length === 0 ? (
                  <Text c="dimmed">{t('playground.empty')}</Text>
                ) : (
                  <Stack gap="md" data-testid="transcript">
                    {turns.map((turn, i) => (
                      <TurnView key={i} turn={turn} />
                    ))}
                    <div ref={bottom} />
                  </Stack>
                )}
              </ScrollArea.Autosize>
              {problem && (
                <Alert color="yellow" role="alert" p="xs">
                  {problem}
                </Alert>
              )}
              <Textarea
                label={t('playground.message')}
                description={t('playground.messageHint')}
                autosize
                minRows={2}
                maxRows={8}
                value={draft}
                onChange={(e) => setDraft(e.currentTarget.value)}
                onKeyDown={onKeyDown}
              />
              <Group justify="space-between">
                <Button variant="default" onClick={() => setTurns([])} disabled={running || turns.length === 0}>
                  {t('playground.clear')}
                </Button>
                {running ? (
                  <Button color="orange" onClick={() => abort.current?.abort()}>
                    {t('playground.stop')}
                  </Button>
                ) : (
                  <Button onClick={() => void send()} disabled={!draft.trim()}>
                    {t('playground.send')}
                  </Button>
                )}
              </Group>
            </Stack>
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
