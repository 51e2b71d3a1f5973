import { createTheme, DEFAULT_THEME, type CSSVariablesResolver } from '@mantine/core';

/** `#rrggbb` mixed with black: `share` 0.3 keeps 70 % of the colour. */
export function darken(hex: string, share: number): string {
  const n = parseInt(hex.slice(1), 16);
  const ch = (shift: number) => Math.round(((n >> shift) & 0xff) * (1 - share));
  return `#${[ch(16), ch(8), ch(0)].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Mantine's defaults with text contrast raised to WCAG AA (4.5:1), checked by axe-core in the browser suite: filled
 * controls use shade 9 in the light theme (white on indigo-6 is 4.0:1), tinted text (light and subtle variants,
 * badges) is shade 9 darkened, dimmed text one gray stronger.
 */
export const consoleTheme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'md',
  primaryShade: { light: 9, dark: 8 },
  components: {
    // A table wider than the screen scrolls in its box; the box takes focus, so a keyboard can scroll it too.
    TableScrollContainer: { defaultProps: { scrollAreaProps: { viewportProps: { tabIndex: 0 } } } },
  },
});

export const consoleCssVariables: CSSVariablesResolver = () => {
  const colors = Object.keys(DEFAULT_THEME.colors).filter((c) => c !== 'dark');
  return {
    variables: {},
    light: {
      '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
      ...Object.fromEntries(colors.map((c) => [`--mantine-color-${c}-light-color`, darken(DEFAULT_THEME.colors[c][9], 0.3)])),
    },
    dark: {
      '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
      ...Object.fromEntries(colors.filter((c) => c !== 'gray').map((c) => [`--mantine-color-${c}-light-color`, `var(--mantine-color-${c}-2)`])),
    },
  };
};
