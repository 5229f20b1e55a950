import type { ReactNode } from 'react';

export const metadata = {
  title: 'Agent platform',
  description: 'Run GPT agents as background jobs.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
