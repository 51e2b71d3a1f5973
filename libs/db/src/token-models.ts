// Token.models is the token's model allow-list, where the admin API's `null` means "every model".
// Prisma has no optional lists (`String[]?`), so the column holds an EMPTY list for "every model".
// Convert at the API boundary with these two functions; an explicit empty allow-list is not storable
// (it would lock the token out of every model: disable the token instead).

/** Column value → API value: `null` = every model. */
export function modelsFromColumn(models: readonly string[] | null | undefined): string[] | null {
  return models && models.length > 0 ? [...models] : null;
}

/** API value → column value: `null`/`undefined`/`[]` = every model. */
export function modelsToColumn(models: readonly string[] | null | undefined): string[] {
  return models ? [...models] : [];
}
