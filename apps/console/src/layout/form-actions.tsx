import { Alert, Button, Group, type ButtonProps } from '@mantine/core';

/** A failed write's message, as the API gave it (a 400 names the field), announced to screen readers. */
export function MutationError({ error }: { error: Error | null }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert">
      {error.message}
    </Alert>
  );
}

interface FormActionsProps {
  cancelLabel: string;
  onCancel: () => void;
  submitLabel: string;
  loading: boolean;
  /** without it the confirm button submits the surrounding form */
  onSubmit?: () => void;
  color?: ButtonProps['color'];
  disabled?: boolean;
}

/** The foot of every form and confirmation: cancel on the left of the one action, which shows its progress. */
export function FormActions({ cancelLabel, onCancel, submitLabel, loading, onSubmit, color, disabled }: FormActionsProps) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        {cancelLabel}
      </Button>
      <Button type={onSubmit ? 'button' : 'submit'} color={color} loading={loading} disabled={disabled} onClick={onSubmit}>
        {submitLabel}
      </Button>
    </Group>
  );
}
