// CSV (RFC 4180: quotes, doubled quotes, newlines inside quotes, CRLF) and JSON Lines, with the
// line each record starts on, so an upload's error report can point at the row.

/** Parse CSV text into records [{line, fields: [...]}]; a BOM and blank lines are skipped. */
export function parseCsv(text) {
  const records = [];
  let fields = [];
  let value = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let fieldStarted = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const endRecord = () => {
    fields.push(value);
    if (fields.length > 1 || fields[0] !== '') records.push({ line: start, fields });
    fields = [];
    value = '';
    fieldStarted = false;
  };
  for (let i = 0; i < src.length; i += 1) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        value += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line += 1;
        value += ch;
      }
    } else if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (ch === ',') {
      fields.push(value);
      value = '';
      fieldStarted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
      start = line;
    } else {
      value += ch;
      fieldStarted = true;
    }
  }
  if (quoted) throw new Error(`unterminated quote in the record starting on line ${start}`);
  if (value !== '' || fields.length) endRecord();
  return records;
}

/** One CSV line from values (quoted when needed). */
export function csvLine(values) {
  return values.map((v) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(',');
}

/** JSON Lines: [{line, value}] or [{line, error}] per non-blank line. */
export function parseJsonLines(text) {
  const out = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (!raw.trim()) return;
    try {
      out.push({ line: index + 1, value: JSON.parse(raw) });
    } catch (error) {
      out.push({ line: index + 1, error: error.message });
    }
  });
  return out;
}
