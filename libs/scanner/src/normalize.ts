const NON_ASCII = /[^\x00-\x7F]/;
const TAG_RUN = /[\u{E0000}-\u{E007F}]+/gu;
const INVISIBLE = /[\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF]/g;
const SPACES = /[^\S\n]+/g;

/** The ASCII a run of Unicode tag characters spells (U+E0020–U+E007E mirror ASCII 0x20–0x7E). */
export function decodeTagRun(run: string): string {
  let out = '';
  for (const char of run) {
    const code = (char.codePointAt(0) as number) - 0xe0000;
    if (code >= 0x20 && code <= 0x7e) out += String.fromCharCode(code);
  }
  return out;
}

/**
 * Text as a reader would take it, for the phrasing rules: compatibility forms folded (NFKC:
 * full-width and styled letters become plain ones), invisible characters removed, smuggled tag
 * text revealed, horizontal whitespace collapsed. Pure ASCII without double spaces is returned
 * as it is, which keeps the common case free.
 */
export function normalizeText(text: string): string {
  const ascii = !NON_ASCII.test(text);
  if (ascii && !/[^\S\n]{2}|\t/.test(text)) return text;
  let out = text;
  if (!ascii) {
    out = out
      .replace(TAG_RUN, (run) => ` ${decodeTagRun(run)} `)
      .normalize('NFKC')
      .replace(INVISIBLE, '');
  }
  return out.replace(SPACES, ' ');
}
