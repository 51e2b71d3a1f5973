/** A model pattern as channels and plugin scopes write it (`gpt-4o*`, `claude-*`): `*` matches anything, the rest literally. */
export function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}
