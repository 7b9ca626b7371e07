import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import { ColorSchemeScript, mantineHtmlProps } from '@mantine/core';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { SessionProvider } from '../src/session';
import { Shell } from '../src/shell';
import { Providers } from '../src/providers';
import './globals.css';

export const metadata: Metadata = { title: 'Gatehouse console' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" {...mantineHtmlProps}>
      <head>
        <ColorSchemeScript defaultColorScheme="light" />
      </head>
      <body>
        <Providers>
          <SessionProvider>
            <Shell>{children}</Shell>
          </SessionProvider>
        </Providers>
      </body>
    </html>
  );
}
