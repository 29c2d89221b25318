// A code editor: a plain <textarea> (so typing, undo, selection and screen readers work
// as they do everywhere) over a <pre> that shows the same text highlighted. The
// highlighter is a small tokenizer per language family — keywords, strings, comments,
// numbers — which is all a judge's editor needs; a full editor bundle would be 20× the
// size of this whole app.

const C_LIKE = {
  lineComment: "//",
  block: ["/*", "*/"],
  strings: ['"', "'"],
};

const KEYWORDS = {
  c: "auto break case char const continue default do double else enum extern float for goto if inline int long register return short signed sizeof static struct switch typedef union unsigned void volatile while bool true false include define",
  cpp: "alignas auto bool break case catch char class const constexpr continue default delete do double else enum explicit extern false float for friend goto if inline int long mutable namespace new noexcept nullptr operator private protected public return short signed sizeof static struct switch template this throw true try typedef typename union unsigned using virtual void volatile while include define",
  java: "abstract boolean break byte case catch char class continue default do double else enum extends final finally float for if implements import instanceof int interface long new null package private protected public return short static super switch this throw throws true false try var void while",
  python: "and as assert async await break class continue def del elif else except False finally for from global if import in is lambda None nonlocal not or pass raise return True try while with yield print range len int str input",
  javascript: "async await break case catch class const continue default delete do else export extends false finally for function if import in instanceof let new null of return super switch this throw true try typeof undefined var void while yield require",
  go: "break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var true false nil int int64 string byte rune bool",
  rust: "as break const continue crate else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type unsafe use where while i32 i64 u32 u64 usize String Vec",
};

const SYNTAX = {
  python: { lineComment: "#", block: null, strings: ['"""', "'''", '"', "'"] },
  javascript: { ...C_LIKE, strings: ['"', "'", "`"] },
  go: { ...C_LIKE, strings: ['"', "'", "`"] },
};

function family(language) {
  const id = String(language || "").toLowerCase();
  if (id.startsWith("python")) return "python";
  if (id.startsWith("c++") || id.startsWith("cpp")) return "cpp";
  if (id.startsWith("java") && !id.startsWith("javascript")) return "java";
  if (id.startsWith("javascript") || id.startsWith("node") || id === "js") return "javascript";
  if (id.startsWith("go")) return "go";
  if (id.startsWith("rust")) return "rust";
  return id.startsWith("c") ? "c" : "cpp";
}

function escapeHtml(text) {
  return text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
}

export function highlight(source, language) {
  const name = family(language);
  const syntax = SYNTAX[name] || C_LIKE;
  const keywords = new Set((KEYWORDS[name] || "").split(" "));
  const out = [];
  let i = 0;
  const n = source.length;
  const span = (cls, text) => out.push(`<span class="tok-${cls}">${escapeHtml(text)}</span>`);
  while (i < n) {
    const rest = source.startsWith.bind(source);
    if (syntax.lineComment && rest(syntax.lineComment, i)) {
      let end = source.indexOf("\n", i);
      if (end < 0) end = n;
      span("comment", source.slice(i, end));
      i = end;
      continue;
    }
    if (syntax.block && rest(syntax.block[0], i)) {
      let end = source.indexOf(syntax.block[1], i + syntax.block[0].length);
      end = end < 0 ? n : end + syntax.block[1].length;
      span("comment", source.slice(i, end));
      i = end;
      continue;
    }
    const quote = syntax.strings.find((q) => rest(q, i));
    if (quote) {
      let j = i + quote.length;
      while (j < n && !source.startsWith(quote, j)) {
        if (source[j] === "\\") j += 1;
        else if (source[j] === "\n" && quote.length === 1 && quote !== "`") break;
        j += 1;
      }
      j = Math.min(n, j + (source.startsWith(quote, j) ? quote.length : 0));
      span("string", source.slice(i, j));
      i = j;
      continue;
    }
    const ch = source[i];
    if (/[0-9]/.test(ch)) {
      let j = i + 1;
      while (j < n && /[0-9a-fA-FxX._]/.test(source[j])) j += 1;
      span("number", source.slice(i, j));
      i = j;
      continue;
    }
    if (/[A-Za-z_$]/.test(ch)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(source[j])) j += 1;
      const word = source.slice(i, j);
      if (keywords.has(word)) span("keyword", word);
      else out.push(escapeHtml(word));
      i = j;
      continue;
    }
    if (ch === "#" && name !== "python" && (i === 0 || source[i - 1] === "\n")) {
      let end = source.indexOf("\n", i);
      if (end < 0) end = n;
      span("preproc", source.slice(i, end));
      i = end;
      continue;
    }
    out.push(escapeHtml(ch));
    i += 1;
  }
  // A trailing newline needs a character after it, or the <pre> is a line short.
  return out.join("") + "\n";
}

export function createEditor({ id, label, value = "", language = "python", onChange } = {}) {
  const wrapper = document.createElement("div");
  wrapper.className = "editor";
  const labelEl = document.createElement("label");
  labelEl.htmlFor = id;
  labelEl.textContent = label;
  const help = document.createElement("p");
  help.id = `${id}-help`;
  help.className = "help";
  help.textContent = "Tab indents. Press Escape, then Tab, to leave the editor.";
  const surface = document.createElement("div");
  surface.className = "editor-surface";
  const pre = document.createElement("pre");
  pre.setAttribute("aria-hidden", "true");
  const code = document.createElement("code");
  pre.append(code);
  const textarea = document.createElement("textarea");
  textarea.id = id;
  textarea.spellcheck = false;
  textarea.autocapitalize = "off";
  textarea.setAttribute("autocomplete", "off");
  textarea.setAttribute("aria-describedby", help.id);
  textarea.value = value;
  surface.append(pre, textarea);
  wrapper.append(labelEl, surface, help);

  let currentLanguage = language;
  let tabTraps = true;
  const render = () => {
    code.innerHTML = highlight(textarea.value, currentLanguage);
    pre.scrollTop = textarea.scrollTop;
    pre.scrollLeft = textarea.scrollLeft;
  };
  textarea.addEventListener("input", () => {
    render();
    onChange?.(textarea.value);
  });
  textarea.addEventListener("scroll", () => {
    pre.scrollTop = textarea.scrollTop;
    pre.scrollLeft = textarea.scrollLeft;
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      tabTraps = false;
      return;
    }
    if (event.key === "Tab" && tabTraps && !event.shiftKey && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      const { selectionStart: start, selectionEnd: end } = textarea;
      textarea.setRangeText("    ", start, end, "end");
      render();
      onChange?.(textarea.value);
    }
  });
  textarea.addEventListener("focus", () => {
    tabTraps = true;
  });
  render();
  return {
    element: wrapper,
    textarea,
    get value() {
      return textarea.value;
    },
    set value(text) {
      textarea.value = text;
      render();
    },
    setLanguage(next) {
      currentLanguage = next;
      render();
    },
  };
}
