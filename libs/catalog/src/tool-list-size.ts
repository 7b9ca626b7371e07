/**
 * The size of a `tools/list` result in model tokens: the o200k_base encoding of the result JSON as
 * a client receives it. What a profile costs in every conversation before the first tool call.
 */
export async function toolListTokens(result: { tools: unknown[] }): Promise<number> {
  // Loaded on first use: the encoding's tables are megabytes the gateway's call path never needs.
  const { encode } = await import('gpt-tokenizer/encoding/o200k_base');
  return encode(JSON.stringify(result)).length;
}
