import { Fieldset, SimpleGrid, TextInput } from '@mantine/core';
import { useI18n } from '../../i18n/i18n.context';
import { CHANNEL_CONFIG_FIELDS } from './channel-types';

/** The inputs of a channel type's settings (`region`, `project`, `apiVersion`…); nothing for a type without any. */
export function ChannelConfigInputs({
  type,
  values,
  onChange,
  error,
}: {
  type: string;
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
  error?: string;
}) {
  const { t } = useI18n();
  const fields = CHANNEL_CONFIG_FIELDS[type];
  if (!fields?.length) return null;
  return (
    <Fieldset legend={t('channels.form.config')}>
      <SimpleGrid cols={{ base: 1, xs: 2 }}>
        {fields.map((f) => (
          <TextInput
            key={f.name}
            label={f.name}
            placeholder={f.placeholder}
            required={f.required}
            value={values[f.name] ?? ''}
            onChange={(e) => onChange({ ...values, [f.name]: e.currentTarget.value })}
          />
        ))}
      </SimpleGrid>
      {error ? (
        <div role="alert" style={{ color: 'var(--mantine-color-error)', fontSize: 'var(--mantine-font-size-xs)', marginTop: 6 }}>
          {error}
        </div>
      ) : null}
    </Fieldset>
  );
}
