/** Text wrapped for a terminal: words to a width, a word longer than the width cut across lines. */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter((x) => x !== '')) {
    if (line !== '' && line.length + 1 + word.length <= w) {
      line += ` ${word}`;
      continue;
    }
    if (line !== '') lines.push(line);
    while (word.length > w) {
      lines.push(word.slice(0, w));
      word = word.slice(w);
    }
    line = word;
  }
  if (line !== '') lines.push(line);
  return lines;
}
