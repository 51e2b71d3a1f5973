import { ActionIcon, Button, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { browserSupportsWebAuthn, startRegistration } from '@simplewebauthn/browser';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { PasskeyView } from '@switchboard/contracts';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError } from '../../layout/form-actions';
import { useSession } from '../../session/session.context';

const QUERY = ['me', 'passkeys'];

/** The signed-in user's passkeys: add one (the browser's WebAuthn prompt), rename, delete. */
export function PasskeysPanel() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: QUERY, queryFn: () => api('me.passkeys.list') });
  const [name, setName] = useState('');
  const [editing, setEditing] = useState<{ id: number; name: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: QUERY });
  const add = useMutation({
    mutationFn: async () => {
      const optionsJSON = (await api('passkey.register.options')) as unknown as Parameters<typeof startRegistration>[0]['optionsJSON'];
      const response = await startRegistration({ optionsJSON });
      return api('passkey.register.verify', { body: { name: name.trim() || 'Passkey', response } });
    },
    onSuccess: () => {
      setName('');
      void refresh();
    },
  });
  const rename = useMutation({
    mutationFn: (p: { id: number; name: string }) => api('me.passkeys.rename', { params: { id: p.id }, body: { name: p.name } }),
    onSuccess: () => {
      setEditing(null);
      void refresh();
    },
  });
  const remove = useMutation({ mutationFn: (id: number) => api('me.passkeys.delete', { params: { id } }), onSuccess: () => void refresh() });
  const date = (iso: string) => new Date(iso).toLocaleString(locale);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  const rows: PasskeyView[] = list.data?.data ?? [];
  return (
    <Paper withBorder p="md">
      <Stack>
        <Title order={3} size="h4">
          {t('passkeys.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('passkeys.hint')}
        </Text>
        {rows.length === 0 ? (
          <Text size="sm">{t('passkeys.none')}</Text>
        ) : (
          <Table data-testid="my-passkeys">
            <Table.Tbody>
              {rows.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>
                    {editing?.id === p.id ? (
                      <Group gap="xs">
                        <TextInput
                          aria-label={t('passkeys.name')}
                          value={editing.name}
                          onChange={(e) => setEditing({ id: p.id, name: e.currentTarget.value })}
                          size="xs"
                        />
                        <Button size="xs" onClick={() => rename.mutate(editing)} loading={rename.isPending}>
                          {t('passkeys.save')}
                        </Button>
                      </Group>
                    ) : (
                      <Text fw={500}>{p.name}</Text>
                    )}
                    <Text size="xs" c="dimmed">
                      {t('passkeys.created', { date: date(p.createdAt) })}
                      {p.lastUsedAt ? ` · ${t('passkeys.lastUsed', { date: date(p.lastUsedAt) })}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td w={1}>
                    <Group gap="xs" wrap="nowrap">
                      <Button size="xs" variant="subtle" onClick={() => setEditing({ id: p.id, name: p.name })}>
                        {t('passkeys.rename')}
                      </Button>
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`${t('passkeys.delete')} ${p.name}`}
                        onClick={() => remove.mutate(p.id)}
                        loading={remove.isPending}
                      >
                        ✕
                      </ActionIcon>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {browserSupportsWebAuthn() ? (
          <form onSubmit={submit}>
            <Group align="end">
              <TextInput label={t('passkeys.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={64} placeholder="Passkey" />
              <Button type="submit" loading={add.isPending}>
                {t('passkeys.add')}
              </Button>
            </Group>
          </form>
        ) : (
          <Text size="sm">{t('passkeys.unsupported')}</Text>
        )}
        <MutationError error={add.error} />
        <MutationError error={rename.error} />
        <MutationError error={remove.error} />
      </Stack>
    </Paper>
  );
}
