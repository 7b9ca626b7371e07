/**
 * Keyword search over the demo articles: each query word found in the title
 * counts double, in tags or body once. Good enough to make "search then read
 * the resource" flows look real; not a ranking algorithm.
 */
import { type Article, ARTICLES, articleUri } from './articles';

export interface ArticleHit {
  id: string;
  title: string;
  uri: string;
  score: number;
  snippet: string;
}

function scoreArticle(article: Article, words: readonly string[]): number {
  const title = article.title.toLowerCase();
  const rest = `${article.tags.join(' ')} ${article.body}`.toLowerCase();
  return words.reduce((score, word) => score + (title.includes(word) ? 2 : 0) + (rest.includes(word) ? 1 : 0), 0);
}

export function searchArticles(query: string, limit: number): ArticleHit[] {
  const words = query
    .toLowerCase()
    .split(/\W+/)
    .filter((word) => word.length > 1);
  return ARTICLES.map((article) => ({ article, score: scoreArticle(article, words) }))
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score || a.article.id.localeCompare(b.article.id))
    .slice(0, limit)
    .map(({ article, score }) => ({
      id: article.id,
      title: article.title,
      uri: articleUri(article.id),
      score,
      snippet: article.body.length > 120 ? `${article.body.slice(0, 117)}...` : article.body,
    }));
}
