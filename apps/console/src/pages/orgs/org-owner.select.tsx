import { Select } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useI18n } from '../../i18n/i18n.context';
import { useSession } from '../../session/session.context';

/** Whether the signed-in person may give a resource to an organisation: a root, or the admin key. */
export function useChoosesOwner(): boolean {
  const { user } = useSession();
  return user === null || user.role === 'root';
}

/**
 * Which organisation owns a group or an MCP server ('' = the platform): a root's choice, so only roots see it (and
 * only they may list organisations). The current owner stays choosable while the list loads.
 */
export function OrgOwnerSelect({ value, onChange, description }: { value: string; onChange: (orgId: string) => void; description: string }) {
  const { t } = useI18n();
  const { api } = useSession();
  const shown = useChoosesOwner();
  const orgs = useQuery({ queryKey: ['orgs', 'list'], queryFn: () => api('orgs.list', {}), enabled: shown });
  if (!shown) return null;
  const listed = orgs.data?.data ?? [];
  return (
    <Select
      label={t('orgs.owner')}
      description={description}
      data={[
        { value: '', label: t('orgs.owner.platform') },
        ...listed.map((o) => ({ value: String(o.id), label: o.name })),
        ...(value !== '' && !listed.some((o) => String(o.id) === value) ? [{ value, label: `#${value}` }] : []),
      ]}
      value={value}
      onChange={(v) => onChange(v ?? '')}
      allowDeselect={false}
    />
  );
}
