/**
 * The `kb` demo defined against the v1 SDK (`@modelcontextprotocol/sdk`).
 *
 * It exists only because the v2 server packages no longer ship the 2024-11-05
 * HTTP+SSE server transport, and the gateway must still be tested against
 * upstreams that speak it. Content and search come from the same modules as
 * the v2 `kb` server; only the registration is repeated, in v1's API.
 */
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { searchArticles } from '../kb/article-search';
import { ARTICLES, articleMarkdown, articleUri, findArticle } from '../kb/articles';
import type { ToolExecutionCounter } from '../tool-execution-counter';

export function createLegacyKbServer(counter: ToolExecutionCounter): McpServer {
  const server = new McpServer({ name: 'gatehouse-demo-kb-legacy-sse', version: '1.0.0' });

  server.registerTool(
    'search_articles',
    {
      title: 'Search help articles',
      description: 'Search the help-centre knowledge base. Hits link to kb://articles/{id} resources.',
      inputSchema: {
        query: z.string().min(1).describe('Words to look for in article titles, tags and bodies.'),
        limit: z.number().int().min(1).max(15).optional().describe('Maximum hits (default 5).'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ query, limit }) => {
      counter.record('search_articles');
      const hits = searchArticles(query, limit ?? 5);
      return { content: [{ type: 'text', text: JSON.stringify({ hits }, null, 2) }], structuredContent: { hits } };
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
      const article = findArticle(String(variables.id));
      if (article === undefined) throw new Error(`No article with id "${String(variables.id)}".`);
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: articleMarkdown(article) }] };
    },
  );

  server.registerPrompt(
    'summarize_article',
    {
      title: 'Summarize an article',
      description: 'Ask the model for a three-sentence summary of one help article.',
      argsSchema: { id: z.string().describe('Article id, e.g. enable-sso.') },
    },
    ({ id }) => {
      const article = findArticle(id);
      if (article === undefined) throw new Error(`No article with id "${id}".`);
      return {
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
