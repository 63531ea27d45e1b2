import type { ReactNode } from 'react';
import { Paper, Title } from '@mantine/core';

/** A titled section of the incident page; the heading labels the section for screen readers. */
export function Card({ title, children, id, testId }: { title: string; children: ReactNode; id?: string; testId?: string }) {
  const headingId = `${id ?? title.replace(/\W+/g, '-').toLowerCase()}-title`;
  return (
    <Paper p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby={headingId} id={id} data-testid={testId}>
      <Title order={2} size="h4" id={headingId} mb="md">
        {title}
      </Title>
      {children}
    </Paper>
  );
}
