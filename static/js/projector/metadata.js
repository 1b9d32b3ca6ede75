/**
 * The projector's metadata TSV (/data/plugin/projector/metadata) as columns, read as TensorBoard
 * reads it: a first line holding a tab is the header naming the columns; otherwise every line is
 * one point's label, in a column named "label".
 */
export function parseMetadata(text) {
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  if (!lines.length) return null;
  const hasHeader = lines[0].includes("\t");
  const names = hasHeader ? lines[0].split("\t") : ["label"];
  const rows = hasHeader ? lines.slice(1) : lines;
  const columns = Object.fromEntries(names.map((name) => [name, []]));
  for (const line of rows) {
    const cells = hasHeader ? line.split("\t") : [line];
    names.forEach((name, i) => columns[name].push(cells[i] ?? ""));
  }
  return { names, columns };
}
