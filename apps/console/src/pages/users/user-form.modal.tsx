import {
  Button,
  Fieldset,
  Group,
  Modal,
  NumberInput,
  PasswordInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError } from '../../layout/form-actions';
import { useSession } from '../../session/session.context';
import { BudgetFieldset } from '../budgets/budget.fieldset';
import { isOrgAdmin } from '../../layout/console-pages';
import {
  assignableGroups,
  draftFromUser,
  emptyUserDraft,
  userDraftToCreateBody,
  userDraftToUpdateBody,
  type GroupOption,
  type UserDraft,
  type UserRow,
} from './user-draft';

/** Create (no `user`) or edit a user. Rendered only while open, so each opening starts from the user as listed. */
export function UserFormModal({ user, groups, onClose }: { user: UserRow | null; groups: GroupOption[]; onClose: () => void }) {
  const { t } = useI18n();
  const { api, user: me } = useSession();
  const queryClient = useQueryClient();
  // Only roots (and the admin key) manage organisations; an org admin's users always land in its own org.
  const isRoot = me === null || me.role === 'root';
  const orgs = useQuery({ queryKey: ['orgs', 'list'], queryFn: () => api('orgs.list', {}), enabled: isRoot });
  const [initial] = useState<UserDraft>(() => (user ? draftFromUser(user) : emptyUserDraft));
  const [draft, setDraft] = useState<UserDraft>(initial);
  const [unchanged, setUnchanged] = useState(false);
  const set = <K extends keyof UserDraft>(k: K, v: UserDraft[K]) => {
    setUnchanged(false);
    setDraft((d) => ({ ...d, [k]: v }));
  };
  const save = useMutation({
    mutationFn: async () => {
      if (!user) return api('users.create', { body: userDraftToCreateBody(draft) });
      const body = userDraftToUpdateBody(initial, draft);
      if (Object.keys(body).length === 0) return null;
      return api('users.update', { params: { id: String(user.id) }, body });
    },
    onSuccess: async (saved) => {
      if (saved === null) return setUnchanged(true);
      // Group counts change with a user's group.
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['users'] }), queryClient.invalidateQueries({ queryKey: ['groups'] })]);
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  // Only the groups the user may be put in (the current one stays choosable, even if the list failed to load).
  const groupOptions = assignableGroups(groups, draft.orgId, isOrgAdmin(me) ? (me?.orgId ?? null) : null, initial.group);
  return (
    <Modal opened onClose={onClose} title={user ? t('users.editTitle', { name: user.name }) : t('users.createTitle')} size="lg">
      <form onSubmit={submit}>
        <Stack>
          <TextInput label={t('users.name')} value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} required data-autofocus />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label={t('users.group')}
              description={t('users.groupHint')}
              data={groupOptions}
              value={draft.group}
              onChange={(v) => set('group', v ?? 'default')}
              allowDeselect={false}
              searchable
            />
            {/* Bottom-aligned, so the control lines up with the group select under its longer description. */}
            <Stack gap={4} justify="flex-end">
              <Text size="sm" fw={500} id="user-status-label">
                {t('users.status')}
              </Text>
              <SegmentedControl
                aria-labelledby="user-status-label"
                value={draft.status}
                onChange={(v) => set('status', v as UserDraft['status'])}
                data={[
                  { value: 'active', label: t('users.status.active') },
                  { value: 'disabled', label: t('users.status.disabled') },
                ]}
              />
            </Stack>
          </SimpleGrid>
          {isRoot && (
            <Select
              label={t('users.org')}
              description={t('users.orgHint')}
              data={[{ value: '', label: t('users.org.platform') }, ...(orgs.data?.data ?? []).map((o) => ({ value: String(o.id), label: o.name }))]}
              value={draft.orgId}
              onChange={(v) => set('orgId', v ?? '')}
              allowDeselect={false}
            />
          )}
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <Select
              label={t('users.role')}
              description={t('users.roleHint')}
              data={(['user', 'admin', 'root'] as const).map((r) => ({ value: r, label: t(`users.role.${r}`) }))}
              value={draft.role}
              onChange={(v) => v && set('role', v as UserDraft['role'])}
              allowDeselect={false}
            />
            <PasswordInput
              label={t('users.password')}
              description={user ? t('users.passwordKeepHint') : t('users.passwordHint')}
              value={draft.password}
              onChange={(e) => set('password', e.currentTarget.value)}
              autoComplete="new-password"
            />
          </SimpleGrid>
          <Switch
            label={t('users.unlimitedSwitch')}
            description={t('users.unlimitedHint')}
            checked={draft.unlimited}
            onChange={(e) => set('unlimited', e.currentTarget.checked)}
          />
          {!draft.unlimited && (
            <NumberInput
              label={t('users.balance')}
              prefix="$"
              decimalScale={6}
              thousandSeparator=","
              value={draft.balance}
              onChange={(v) => set('balance', v)}
            />
          )}
          <Fieldset legend={t('users.limits')} variant="filled">
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <NumberInput label={t('users.rpm')} value={draft.rpm} onChange={(v) => set('rpm', v)} allowDecimal={false} thousandSeparator="," />
              <NumberInput label={t('users.tpm')} value={draft.tpm} onChange={(v) => set('tpm', v)} allowDecimal={false} thousandSeparator="," />
              <NumberInput label={t('users.maxConcurrency')} value={draft.maxConcurrency} onChange={(v) => set('maxConcurrency', v)} allowDecimal={false} />
            </SimpleGrid>
          </Fieldset>
          <BudgetFieldset draft={draft.budget} onChange={(b) => set('budget', b)} current={user?.budget} />
          <MutationError error={save.error} />
          {unchanged && (
            <Text size="sm" c="dimmed" role="status">
              {t('users.noChanges')}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('users.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {user ? t('users.save') : t('users.saveCreate')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
