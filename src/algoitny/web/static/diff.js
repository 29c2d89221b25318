// The first difference between an expected and an actual output, token by token (the
// way the default checkers compare), for drawing a counterexample side by side. The
// server's `first_difference`, when a result carries one, wins over this.

export function firstDifference(expected, found) {
  const a = expected.split("\n");
  const b = found.split("\n");
  while (a.length && a[a.length - 1].trim() === "") a.pop();
  while (b.length && b[b.length - 1].trim() === "") b.pop();
  const lines = Math.max(a.length, b.length);
  for (let line = 0; line < lines; line += 1) {
    const left = (a[line] ?? "").trim().split(/\s+/).filter(Boolean);
    const right = (b[line] ?? "").trim().split(/\s+/).filter(Boolean);
    const tokens = Math.max(left.length, right.length);
    for (let token = 0; token < tokens; token += 1) {
      if (left[token] !== right[token]) {
        return { line: line + 1, token: token + 1, expected: left[token] ?? null, found: right[token] ?? null };
      }
    }
    if (line >= a.length || line >= b.length) {
      return { line: line + 1, token: 1, expected: a[line] ?? null, found: b[line] ?? null };
    }
  }
  return null;
}

// Renders `text` into `container` line by line, marking line `line` (1-based) and, in
// it, the `token`-th whitespace-separated token.
export function renderMarked(container, text, difference) {
  container.replaceChildren();
  const lines = text.split("\n");
  lines.forEach((content, index) => {
    const row = document.createElement("span");
    row.className = "line";
    if (difference && index + 1 === difference.line) {
      row.classList.add("line-differs");
      let seen = 0;
      for (const part of content.split(/(\s+)/)) {
        if (part === "") continue;
        if (/^\s+$/.test(part)) {
          row.append(part);
          continue;
        }
        seen += 1;
        if (seen === difference.token) {
          const mark = document.createElement("mark");
          mark.textContent = part;
          row.append(mark);
        } else {
          row.append(part);
        }
      }
    } else {
      row.textContent = content;
    }
    container.append(row, index + 1 < lines.length ? "\n" : "");
  });
}
