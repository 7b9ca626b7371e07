/**
 * The `kb` demo server: a read-only search tool, every article as a resource
 * (`kb://articles/{id}`, listable) and a `summarize_article` prompt, so the
 * gateway has an upstream exercising tools, resources and prompts at once.
 */
import {
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  ResourceTemplate,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { searchArticles } from './article-search';
import { ARTICLES, articleMarkdown, articleUri, findArticle } from './articles';
import { ToolExecutionCounter } from '../tool-execution-counter';
import { structuredResult } from '../tool-results';

export const KB_TOOLS = ['search_articles'] as const;

export interface KbServerDeps {
  counter: ToolExecutionCounter;
}

const SearchInput = z.object({
  query: z.string().min(1).describe('Words to look for in article titles, tags and bodies.'),
  limit: z.number().int().min(1).max(15).optional().describe('Maximum hits (default 5).'),
});

const SearchOutput = z.object({
  hits: z.array(
    z.object({ id: z.string(), title: z.string(), uri: z.string(), score: z.number(), snippet: z.string() }),
  ),
});

const SummarizeArgs = z.object({ id: z.string().describe('Article id, e.g. enable-sso.') });

export function createKbServer(deps: KbServerDeps = { counter: new ToolExecutionCounter(KB_TOOLS) }): McpServer {
  const { counter } = deps;
  const server = new McpServer({ name: 'gatehouse-demo-kb', version: '1.0.0' });

  server.registerTool(
    'search_articles',
    {
      title: 'Search help articles',
      description: 'Search the help-centre knowledge base. Hits link to kb://articles/{id} resources.',
      inputSchema: SearchInput,
      outputSchema: SearchOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ query, limit }) => {
      counter.record('search_articles');
      return structuredResult({ hits: searchArticles(query, limit ?? 5) });
    },
  );

  server.registerResource(
    'article',
    new ResourceTemplate('kb://articles/{id}', {
      list: () => ({
        resources: ARTICLES.map((article) => ({
          uri: articleUri(article.id),
          name: article.id,
          title: article.title,
          mimeType: 'text/markdown',
        })),
      }),
    }),
    { title: 'Help article', description: 'One knowledge-base article as Markdown.', mimeType: 'text/markdown' },
    (uri, variables) => {
      const id = String(variables.id);
      const article = findArticle(id);
      if (article === undefined) throw new ResourceNotFoundError(uri.href, `No article with id "${id}".`);
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: articleMarkdown(article) }] };
    },
  );

  server.registerPrompt(
    'summarize_article',
    {
      title: 'Summarize an article',
      description: 'Ask the model for a three-sentence summary of one help article.',
      argsSchema: SummarizeArgs,
    },
    ({ id }) => {
      const article = findArticle(id);
      if (article === undefined) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `No article with id "${id}".`);
      }
      return {
        description: `Summary of "${article.title}"`,
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text: `Summarize this help article in at most three sentences for a support agent.\n\n${articleMarkdown(article)}`,
            },
          },
        ],
      };
    },
  );

  return server;
}
