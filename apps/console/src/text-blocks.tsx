import { Code } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * Tool arguments and results come from AI clients and upstream servers: they are rendered only as
 * React text children (escaped), never as HTML. Nothing in the console uses dangerouslySetInnerHTML.
 * The block scrolls inside itself (and is focusable, so the keyboard can scroll it): a 5 MB result
 * or a 300-character token never widens the page.
 */
export function TextBlock({ children, label, testId }: { children: ReactNode; label: string; testId?: string }) {
  return (
    <Code block aria-label={label} data-testid={testId} tabIndex={0} className="text-block">
      {children}
    </Code>
  );
}

export function JsonText({ value, label, testId }: { value: unknown; label: string; testId?: string }) {
  return (
    <TextBlock label={label} testId={testId}>
      {value === undefined ? '—' : JSON.stringify(value, null, 2)}
    </TextBlock>
  );
}

/** One line of JSON, cut to `max` characters, for tables. */
export function jsonPreview(value: unknown, max = 120): string {
  const text = value === null || value === undefined ? '—' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The text parts of an MCP tool result, joined; other content types are named. */
export function resultText(result: unknown): string | null {
  const content = (result as { content?: Array<{ type?: string; text?: string }> } | null)?.content;
  if (!Array.isArray(content)) return null;
  return content.map((c) => (c.type === 'text' && typeof c.text === 'string' ? c.text : `[${c.type ?? 'unknown'} content]`)).join('\n');
}
