/**
 * Reads the parts of the project's Markdown pages that test/readme.test.ts holds to the code: fenced code
 * blocks (with the shell commands in them), links, heading anchors and table rows.
 */

export interface CodeBlock {
  lang: string;
  body: string;
  /** 1-based line of the opening fence, for messages */
  line: number;
  /** arguments from a `<!-- mock: ... -->` comment just above the block: how to start the mock it runs against */
  mockArgs: string[];
}

export interface ConsoleCommand {
  /** the command with its `\` continuations joined */
  command: string;
  /** what the page shows it printing */
  expected: string;
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const indent = open[1]?.length ?? 0;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j] ?? ''); j++) body.push((lines[j] ?? '').slice(indent));
    let k = i - 1;
    while (k >= 0 && (lines[k] ?? '').trim() === '') k--;
    const comment = /^<!-- mock:(.*)-->$/.exec((lines[k] ?? '').trim());
    blocks.push({ lang: open[2] ?? '', body: body.join('\n'), line: i + 1, mockArgs: comment?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [] });
    i = j;
  }
  return blocks;
}

/** The `$ ` commands of a console block and the output shown under each. */
export function consoleCommands(block: CodeBlock): ConsoleCommand[] {
  const commands: ConsoleCommand[] = [];
  const lines = block.body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!(lines[i] ?? '').startsWith('$ ')) continue;
    let command = (lines[i] ?? '').slice(2);
    while (command.endsWith('\\') && i + 1 < lines.length) command = `${command.slice(0, -1).trimEnd()} ${(lines[++i] ?? '').trim()}`;
    const expected: string[] = [];
    while (i + 1 < lines.length && !(lines[i + 1] ?? '').startsWith('$ ')) expected.push(lines[++i] ?? '');
    commands.push({ command, expected: expected.join('\n') });
  }
  return commands;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every heading anchor of a page, with GitHub's -1, -2 suffixes for repeats; headings in code blocks do not count. */
export function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  let inCode = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inCode = !inCode;
    const heading = inCode ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const slug = headingSlug(heading[1] ?? '');
    const count = seen.get(slug) ?? 0;
    found.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return found;
}

/** Link targets outside code blocks and inline code. */
export function links(markdown: string): string[] {
  const prose = markdown.replace(/^\s*```[\s\S]*?^\s*```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
}

/** The rows of the first table under a heading, as trimmed cells. */
export function tableRows(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const rest = markdown.slice(start + heading.length + 2);
  const lines = rest.split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (let i = first + 2; i < lines.length && (lines[i] ?? '').startsWith('|'); i++) {
    rows.push((lines[i] ?? '').slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}
