import { Alert, Button, Group, Modal, NumberInput, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n.context';
import { MutationError, FormActions } from '../../layout/form-actions';
import { useSession } from '../../session/session.context';
import { numberOrNull, type NumberText } from './user-draft';
import { fmtBalance } from './user-format';

/** What the action modals need of a user: the list row and the detail view both have it. */
export interface UserRef {
  id: number;
  name: string;
  balance: number | null;
  tokenCount: number;
}

/** Credits the balance; the answer's new balance is shown, and the modal stays open for another credit. */
export function TopUpModal({ user, onClose }: { user: UserRef; onClose: () => void }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [amount, setAmount] = useState<NumberText>('');
  const topUp = useMutation({
    // The amount goes as typed: the API says what is wrong with 0, -5 or 1e12, naming the field.
    mutationFn: (value: number) => api('users.topup', { params: { id: String(user.id) }, body: { amount: value } }),
    onSuccess: async () => {
      setAmount('');
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['users'] }), queryClient.invalidateQueries({ queryKey: ['ledger'] })]);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = numberOrNull(amount);
    if (value !== null) topUp.mutate(value);
  };
  const balance = topUp.data?.balance ?? user.balance;
  return (
    <Modal opened onClose={onClose} title={t('users.topUpTitle', { name: user.name })}>
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm" data-testid="topup-current">
            {t('users.topUpCurrent', { balance: balance === null ? t('users.unlimited') : fmtBalance(balance, locale) })}
          </Text>
          {user.balance === null ? (
            <Alert color="blue">{t('users.topUpUnlimited')}</Alert>
          ) : (
            <NumberInput
              label={t('users.topUpAmount')}
              description={t('users.topUpAmountHint')}
              prefix="$"
              decimalScale={6}
              thousandSeparator=","
              value={amount}
              onChange={setAmount}
              required
              data-autofocus
            />
          )}
          <MutationError error={topUp.error} />
          {topUp.isSuccess && !topUp.isPending && (
            <Alert color="green" role="status" data-testid="topup-result">
              {t('users.topUpDone', { amount: fmtBalance(topUp.variables, locale), balance: fmtBalance(topUp.data.balance, locale) })}
            </Alert>
          )}
          <FormActions
            cancelLabel={t('users.close')}
            onCancel={onClose}
            submitLabel={t('users.topUpSubmit')}
            loading={topUp.isPending}
            disabled={user.balance === null}
          />
        </Stack>
      </form>
    </Modal>
  );
}

/** Disabling refuses every key of the user: asked first. Enabling is not (it takes nothing away). */
export function DisableUserModal({ user, onClose, onDone }: { user: UserRef; onClose: () => void; onDone: (message: string) => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const disable = useMutation({
    mutationFn: () => api('users.update', { params: { id: String(user.id) }, body: { status: 'disabled' } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      onDone(t('users.disabled', { name: user.name }));
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('users.disableTitle', { name: user.name })}>
      <Stack>
        <Text size="sm">{t('users.disableBody', { n: user.tokenCount })}</Text>
        <MutationError error={disable.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('users.cancel')}
          </Button>
          <Button color="orange" loading={disable.isPending} onClick={() => disable.mutate()}>
            {t('users.disable')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Deleting takes the user's tokens with it (the API says how many); a refusal (the built-in admin) is shown as answered. */
export function DeleteUserModal({ user, onClose, onDone }: { user: UserRef; onClose: () => void; onDone: (message: string) => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api('users.delete', { params: { id: String(user.id) } }),
    onSuccess: async (answer) => {
      queryClient.removeQueries({ queryKey: ['users', 'detail', user.id] });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['users'] }),
        queryClient.invalidateQueries({ queryKey: ['groups'] }),
        queryClient.invalidateQueries({ queryKey: ['tokens'] }),
      ]);
      onDone(t('users.deleted', { name: user.name, n: answer.tokensDeleted }));
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('users.deleteTitle', { name: user.name })}>
      <Stack>
        <Text size="sm">{t('users.deleteBody', { n: user.tokenCount })}</Text>
        <MutationError error={remove.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('users.cancel')}
          </Button>
          <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
            {t('users.deleteConfirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
