import { createTheme, type CSSVariablesResolver } from '@mantine/core';

/** One theme for every page: Mantine components, with colours that keep WCAG AA contrast on white. */
export const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: 8,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  defaultRadius: 'sm',
});

/**
 * Mantine's defaults miss WCAG AA contrast for several colours (axe-core flags them in e2e/console):
 * "light" variants (badges, alerts, subtle buttons) draw shade-6 text on a pale tint, and "filled"
 * ones white text on the primary shade, both under 4.5:1 for green, orange, yellow, gray and
 * others; even shade 9 stays under it for orange. Shade 9 darkened by a third passes for every
 * palette colour, as text on a tint and as a background under white text.
 */
const accessible = (c: string, darken: number) => `color-mix(in srgb, var(--mantine-color-${c}-9), black ${darken}%)`;

export const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: Object.fromEntries(
    Object.keys(t.colors).flatMap((c) => [
      [`--mantine-color-${c}-light-color`, accessible(c, 35)],
      [`--mantine-color-${c}-filled`, accessible(c, 35)],
      [`--mantine-color-${c}-filled-hover`, accessible(c, 50)],
    ]),
  ),
  dark: {},
});
