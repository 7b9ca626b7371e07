import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { SessionProvider } from '../src/session';
import { Shell } from '../src/shell';
import './globals.css';

export const metadata: Metadata = { title: 'Gatehouse console' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <SessionProvider>
          <Shell>{children}</Shell>
        </SessionProvider>
      </body>
    </html>
  );
}
