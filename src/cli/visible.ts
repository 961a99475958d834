// Text from the network (message text, nicknames) shown on a terminal: control characters are drawn, never obeyed,
// so a message cannot move the cursor, erase the sender's name or forge a line (ESC [2K, CR, BEL, C1 CSI …).

// C0 controls but tab and line feed (line breaks are the caller's: each mode lays them out its own way), DEL, C1
// controls, and the bidirectional overrides and isolates that reorder what follows them.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One unsafe character as something visible: C0 and DEL as their Unicode control pictures (␛ ␍ ␇ …), the rest as <U+XXXX>. */
function picture(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c < 0x20) return String.fromCharCode(0x2400 + c);
  if (c === 0x7f) return '\u2421';
  return `<U+${c.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/** `text` with every control character replaced by a visible stand-in; tab and line feed are kept. */
export function visible(text: string): string {
  return text.replace(UNSAFE, picture);
}

/** `text` as one visible line: line breaks (CR LF or LF) become ' ↵ ', other controls are drawn. */
export function visibleLine(text: string): string {
  return visible(text.replace(/\r?\n/g, ' ↵ '));
}

/** `text` as visible lines: split at CR LF or LF, every other control drawn (a lone CR too). */
export function visibleLines(text: string): string[] {
  return text.split(/\r?\n/).map(visible);
}
