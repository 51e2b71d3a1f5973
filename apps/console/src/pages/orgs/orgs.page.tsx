import { Alert, Button, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fmtInt } from '../../format/format';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError } from '../../layout/form-actions';
import { QueryState } from '../../layout/query-state';
import { useSession } from '../../session/session.context';

interface OrgRow {
  id: number;
  name: string;
  userCount: number;
}

/** Rename one organisation; rendered only while open. */
function RenameModal({ org, onClose, onSaved }: { org: OrgRow; onClose: () => void; onSaved: (name: string) => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [name, setName] = useState(org.name);
  const save = useMutation({
    mutationFn: () => api('orgs.update', { params: { id: String(org.id) }, body: { name } }),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['orgs'] });
      onSaved(saved.name);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Modal opened onClose={onClose} title={t('orgs.renameTitle', { name: org.name })}>
      <form onSubmit={submit}>
        <Stack>
          <TextInput label={t('orgs.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus />
          <MutationError error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('orgs.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('orgs.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** `/orgs`: organisations for roots (list, create, rename, delete; one with users cannot be deleted). */
export function OrgsPage() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<OrgRow | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const orgs = useQuery({ queryKey: ['orgs', 'list'], queryFn: () => api('orgs.list', {}) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['orgs'] });
  const create = useMutation({
    mutationFn: () => api('orgs.create', { body: { name } }),
    onSuccess: async (o) => {
      setName('');
      setNotice(t('orgs.createdNotice', { name: o.name }));
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: async (o: OrgRow) => {
      await api('orgs.delete', { params: { id: String(o.id) } });
      return o;
    },
    onSuccess: async (o) => {
      setNotice(t('orgs.deletedNotice', { name: o.name }));
      await refresh();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Stack>
      <Title order={2}>{t('nav.orgs')}</Title>
      <Text size="sm" c="dimmed">
        {t('orgs.intro')}
      </Text>
      {notice && (
        <Alert color="green" role="status" withCloseButton onClose={() => setNotice(null)} data-testid="orgs-notice">
          {notice}
        </Alert>
      )}
      <form onSubmit={submit}>
        <Group align="flex-end">
          <TextInput label={t('orgs.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <Button type="submit" loading={create.isPending}>
            {t('orgs.create')}
          </Button>
        </Group>
      </form>
      <MutationError error={create.error ?? remove.error} />
      <QueryState query={orgs}>
        {({ data, total }) => (
          <>
            <Text size="sm" c="dimmed">
              {t('orgs.count', { n: total })}
            </Text>
            {data.length === 0 ? (
              <Text c="dimmed">{t('orgs.empty')}</Text>
            ) : (
              <Table striped verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('col.name')}</Table.Th>
                    <Table.Th ta="right">{t('orgs.col.users')}</Table.Th>
                    <Table.Th>{t('col.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((o) => (
                    <Table.Tr key={o.id} data-testid={`org-${o.name}`}>
                      <Table.Td fw={500}>{o.name}</Table.Td>
                      <Table.Td ta="right">{fmtInt(o.userCount, locale)}</Table.Td>
                      <Table.Td>
                        <Group gap="xs">
                          <Button size="compact-sm" variant="default" onClick={() => setRenaming(o)} aria-label={t('orgs.renameOf', { name: o.name })}>
                            {t('orgs.rename')}
                          </Button>
                          <Button
                            size="compact-sm"
                            variant="default"
                            color="red"
                            loading={remove.isPending && remove.variables?.id === o.id}
                            onClick={() => remove.mutate(o)}
                            aria-label={t('orgs.deleteOf', { name: o.name })}
                          >
                            {t('orgs.delete')}
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </>
        )}
      </QueryState>
      {renaming && (
        <RenameModal
          org={renaming}
          onClose={() => setRenaming(null)}
          onSaved={(n) => {
            setNotice(t('orgs.renamedNotice', { name: n }));
            setRenaming(null);
          }}
        />
      )}
    </Stack>
  );
}
