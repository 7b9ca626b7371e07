import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import { ColorSchemeScript, MantineProvider, mantineHtmlProps } from '@mantine/core';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { SessionProvider } from '../src/session';
import { Shell } from '../src/shell';
import { theme } from '../src/theme';
import './globals.css';

export const metadata: Metadata = { title: 'Gatehouse console' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" {...mantineHtmlProps}>
      <head>
        <ColorSchemeScript defaultColorScheme="light" />
      </head>
      <body>
        <MantineProvider theme={theme} defaultColorScheme="light">
          <SessionProvider>
            <Shell>{children}</Shell>
          </SessionProvider>
        </MantineProvider>
      </body>
    </html>
  );
}
