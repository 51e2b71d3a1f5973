import { FileInput } from '@mantine/core';
import { useState } from 'react';
import { useI18n } from '../../i18n/i18n.context';
import { keysFromFile } from './key-import';

/**
 * Keys from a file (`.txt`, one per line; `.json`, an array of keys or one credential such as a service-account key
 * file), for the create form and the key pool's import. `onKeys` gets them to show in the text box, so the admin sees
 * (and may trim) exactly what will be sent; `file` is owned by the caller so it can clear it after sending.
 */
export function KeyFileInput({ file, onFile, onKeys }: { file: File | null; onFile: (f: File | null) => void; onKeys: (keys: string[]) => void }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const pick = async (f: File | null) => {
    onFile(f);
    setError(null);
    if (!f) return;
    const r = keysFromFile(f.name, await f.text());
    if ('error' in r) setError(t(r.error === 'json' ? 'channels.keys.fileJson' : 'channels.keys.fileShape'));
    else onKeys(r.keys);
  };
  return (
    <FileInput
      label={t('channels.keys.file')}
      description={t('channels.keys.fileHint')}
      accept=".txt,.json,text/plain,application/json"
      value={file}
      onChange={(f) => void pick(f)}
      error={error}
      clearable
    />
  );
}
