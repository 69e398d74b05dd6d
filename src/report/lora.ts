/**
 * A results table kept as markdown by an eval script (eval/LoRA.md from `node eval/lora.mjs`), read
 * into the report so the report shows the committed final table rather than a second run of its own.
 */
import { BdlError } from '../errors.js';

export interface MarkdownTable {
  /** Where it came from (the file as given). */
  source: string;
  /** The document's first heading. */
  title: string;
  /** Paragraphs after the table (the eval's reading of it), as plain text (bold marks dropped). */
  notes: string[];
  columns: string[];
  rows: string[][];
}

const cells = (line: string) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());

/** The first pipe table of a markdown document, with its title and the paragraphs after it. E_FORMAT without one. */
export function markdownTable(md: string, source: string): MarkdownTable {
  const lines = md.split('\n');
  const start = lines.findIndex((l, i) => l.trim().startsWith('|') && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1] ?? ''));
  if (start < 0) throw new BdlError('E_FORMAT', `${source}: no markdown table (a | header | row followed by a |---| row) found`, 'lora');
  let end = start + 2;
  while (end < lines.length && lines[end].trim().startsWith('|')) end++;
  const columns = cells(lines[start]);
  const rows = lines.slice(start + 2, end).map(cells);
  const bad = rows.findIndex((r) => r.length !== columns.length);
  if (bad >= 0) throw new BdlError('E_FORMAT', `${source}: table row ${bad + 1} has ${rows[bad].length} cells, the header ${columns.length}`, 'lora');
  const title = (lines.find((l) => l.startsWith('# ')) ?? `# ${source}`).slice(2).trim();
  const notes = lines.slice(end).join('\n').split(/\n\s*\n/).map((p) => p.replace(/\s*\n\s*/g, ' ').replace(/\*\*(.+?)\*\*/g, '$1').trim()).filter((p) => p && !p.startsWith('#'));
  return { source, title, notes, columns, rows };
}
