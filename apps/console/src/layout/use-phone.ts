import { useMediaQuery } from '@mantine/hooks';

/**
 * Whether the screen is a phone's (at most `maxWidth` wide), known on the first render: Mantine's default answers
 * `false` until an effect runs, so folded things (a page's filters) would render open and then fold while the page
 * loads.
 */
export function usePhone(maxWidth = '48em'): boolean {
  return useMediaQuery(`(max-width: ${maxWidth})`, undefined, { getInitialValueInEffect: false });
}
