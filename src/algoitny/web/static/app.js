// AlgoItny's web app: routes on the URL fragment and renders views into <main>.
// Every view uses the public API only (api.js) and the task WebSocket (live.js).

import { ApiError, api, problemPath, query, session, signOut } from "./api.js";
import { announce, errorBox, field, formatDate, h, verdictBadge } from "./dom.js";
import { createEditor } from "./editor.js";
import { firstDifference, renderMarked } from "./diff.js";
import { TaskFollower } from "./live.js";
import { adminView } from "./admin.js";

const main = document.getElementById("main");
let cleanup = [];
let authConfig = null;

const STARTERS = {
  python: "import sys\n\ndef main():\n    data = sys.stdin.read().split()\n    print(data)\n\nmain()\n",
  cpp: "#include <bits/stdc++.h>\nusing namespace std;\n\nint main() {\n    ios::sync_with_stdio(false);\n    cin.tie(nullptr);\n    return 0;\n}\n",
  c: "#include <stdio.h>\n\nint main(void) {\n    return 0;\n}\n",
  java: "import java.io.*;\nimport java.util.*;\n\npublic class Main {\n    public static void main(String[] args) throws IOException {\n        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));\n    }\n}\n",
  javascript: "const data = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/);\nconsole.log(data);\n",
  go: "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println()\n}\n",
  rust: "use std::io::*;\n\nfn main() {\n    let mut s = String::new();\n    stdin().read_to_string(&mut s).unwrap();\n}\n",
};

function starter(language) {
  const key = Object.keys(STARTERS).find((name) => language.startsWith(name)) || "python";
  return STARTERS[key];
}

function show(...nodes) {
  main.replaceChildren(...nodes.flat(Infinity).filter((node) => node !== null && node !== undefined && node !== false));
  main.focus({ preventScroll: true });
}

function onLeave(fn) {
  cleanup.push(fn);
}

function title(text) {
  document.title = `${text} · AlgoItny`;
  return h("h1", {}, text);
}

function renderAccount() {
  const box = document.getElementById("account");
  const user = session.user;
  document.querySelectorAll("[data-when=signed-in]").forEach((el) => {
    el.hidden = !user;
  });
  document.querySelectorAll("[data-when=admin]").forEach((el) => {
    el.hidden = !session.isAdmin;
  });
  if (user) {
    box.replaceChildren(
      h("span", { class: "who" }, user.name || user.email),
      h(
        "button",
        {
          type: "button",
          class: "link",
          onclick: async () => {
            await signOut();
            location.hash = "#/problems";
          },
        },
        "Sign out",
      ),
    );
  } else {
    box.replaceChildren(h("a", { href: "#/signin" }, "Sign in"));
  }
}

// --- sign in -----------------------------------------------------------------------

async function loadAuthConfig() {
  authConfig ??= await api.get("/api/auth/config").catch(() => ({ dev_login: false, google_client_id: null }));
  return authConfig;
}

async function completeSignIn(signedIn) {
  session.save(signedIn);
  announce(`Signed in as ${signedIn.user.email}`);
  const back = sessionStorage.getItem("algoitny.after-sign-in") || "#/problems";
  sessionStorage.removeItem("algoitny.after-sign-in");
  location.hash = back;
}

async function signInView() {
  const config = await loadAuthConfig();
  const status = h("div", { "aria-live": "polite" });
  const parts = [title("Sign in")];
  if (config.google_client_id) {
    const button = h("div", { id: "google-button" });
    parts.push(button);
    const script = h("script", { src: "https://accounts.google.com/gsi/client", async: true });
    script.addEventListener("load", () => {
      window.google.accounts.id.initialize({
        client_id: config.google_client_id,
        callback: async ({ credential }) => {
          try {
            await completeSignIn(await api.post("/api/auth/google/", { id_token: credential }));
          } catch (error) {
            status.replaceChildren(errorBox(error));
          }
        },
      });
      window.google.accounts.id.renderButton(button, { theme: "outline", size: "large" });
    });
    document.head.append(script);
  }
  if (config.dev_login) {
    const email = h("input", { type: "email", required: true, autocomplete: "email", name: "email" });
    const form = h(
      "form",
      {
        class: "card",
        onsubmit: async (event) => {
          event.preventDefault();
          status.replaceChildren(h("p", {}, "Signing in…"));
          try {
            await completeSignIn(await api.post("/api/auth/dev/", { email: email.value.trim() }));
          } catch (error) {
            status.replaceChildren(errorBox(error));
          }
        },
      },
      h("h2", {}, "Development sign-in"),
      h("p", { class: "help" }, "This server lets you sign in with any email (development only)."),
      field("Email", email),
      h("button", { type: "submit" }, "Sign in"),
    );
    parts.push(form);
  }
  if (!config.dev_login && !config.google_client_id) {
    parts.push(h("p", {}, "Signing in is not configured on this server. You can still submit anonymously."));
  }
  parts.push(status);
  show(...parts);
}

// --- problems ------------------------------------------------------------------------

function problemLink(problem) {
  return `#/p/${encodeURIComponent(problem.platform)}/${encodeURIComponent(problem.problem_identifier)}`;
}

// The search API's `title_highlight` is the title HTML-escaped with <mark>…</mark> around
// the matches (docs/search.md). It is never inserted as HTML: split on the marks, decode
// the escaped text, and build the nodes.
function highlightNode(highlight) {
  if (!highlight) return null;
  const decode = (text) => new DOMParser().parseFromString(`<p>${text}</p>`, "text/html").body.textContent;
  const node = h("span", { class: "title" });
  for (const [index, part] of highlight.split(/<\/?mark>/).entries()) {
    node.append(index % 2 ? h("mark", {}, decode(part)) : decode(part));
  }
  return node;
}

async function problemsView(params) {
  const q = params.get("q") || "";
  const platform = params.get("platform") || "";
  const tag = params.get("tag") || "";
  const input = h("input", { type: "search", name: "q", value: q, placeholder: "Title, identifier or tag" });
  const platformInput = h("input", { name: "platform", value: platform, placeholder: "e.g. baekjoon" });
  const tagInput = h("input", { name: "tag", value: tag, placeholder: "e.g. dp" });
  const form = h(
    "form",
    {
      class: "filters",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        const next = new URLSearchParams();
        if (input.value.trim()) next.set("q", input.value.trim());
        if (platformInput.value.trim()) next.set("platform", platformInput.value.trim());
        if (tagInput.value.trim()) next.set("tag", tagInput.value.trim());
        location.hash = `#/problems?${next}`;
      },
    },
    field("Search", input),
    field("Platform", platformInput),
    field("Tag", tagInput),
    h("button", { type: "submit" }, "Find"),
  );
  const list = h("ul", { class: "problems", "aria-label": "Problems" });
  const status = h("div", { "aria-live": "polite" });
  const more = h("button", { type: "button", hidden: true }, "More problems");
  show(title("Problems"), form, status, list, more);
  let cursor = null;
  const load = async () => {
    more.hidden = true;
    try {
      const page = q
        ? await api.get(`/api/search/problems${query({ q, platform, tag, limit: 20, cursor })}`)
        : await api.get(`/api/problems${query({ platform, tag, limit: 20, cursor })}`);
      for (const problem of page.items) {
        list.append(
          h(
            "li",
            {},
            h("a", { href: problemLink(problem) }, `${problem.platform} ${problem.problem_identifier}`),
            " ",
            highlightNode(problem.title_highlight) || h("span", { class: "title" }, problem.title),
            problem.tags?.length ? h("span", { class: "tags" }, problem.tags.join(", ")) : null,
            problem.status && problem.status !== "completed" ? h("span", { class: "badge" }, problem.status) : null,
          ),
        );
      }
      if (!list.children.length) status.replaceChildren(h("p", {}, "No problems found."));
      else status.replaceChildren(h("p", { class: "help" }, `${list.children.length} shown`));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      status.replaceChildren(
        error.status === 404 && q ? errorBox({ message: "Search is not available on this server yet." }) : errorBox(error),
      );
    }
  };
  more.addEventListener("click", load);
  await load();
}

function samplesBlock(samples) {
  if (!samples.length) return null;
  return h(
    "section",
    { "aria-labelledby": "samples-h" },
    h("h2", { id: "samples-h" }, "Samples"),
    samples.map((sample, index) =>
      h(
        "div",
        { class: "sample" },
        h("div", {}, h("h3", {}, `Input ${index + 1}`), h("pre", {}, sample.input)),
        h("div", {}, h("h3", {}, `Output ${index + 1}`), h("pre", {}, sample.output)),
      ),
    ),
  );
}

async function problemView(platform, identifier) {
  const path = problemPath(platform, identifier);
  let problem;
  let samples = [];
  let languages = [];
  try {
    [problem, samples, languages] = await Promise.all([
      api.get(path),
      api.get(`${path}/samples`).catch(() => []),
      api.get("/api/languages").catch(() => []),
    ]);
  } catch (error) {
    show(title("Problem"), errorBox(error));
    return;
  }
  const usable = languages.filter((language) => language.available);
  const stored = localStorage.getItem("algoitny.language");
  const initial = usable.find((l) => l.id === stored)?.id || usable[0]?.id || "python";
  const draftKey = `algoitny.draft.${platform}.${identifier}.`;
  const picker = h(
    "select",
    { name: "language" },
    languages.map((language) =>
      h(
        "option",
        { value: language.id, disabled: !language.available, selected: language.id === initial },
        language.available ? language.name : `${language.name} (${language.reason || "unavailable"})`,
      ),
    ),
  );
  const editor = createEditor({
    id: "code",
    label: "Your solution",
    language: initial,
    value: localStorage.getItem(draftKey + initial) || starter(initial),
    onChange: (text) => localStorage.setItem(draftKey + picker.value, text),
  });
  picker.addEventListener("change", () => {
    localStorage.setItem("algoitny.language", picker.value);
    editor.setLanguage(picker.value);
    editor.value = localStorage.getItem(draftKey + picker.value) || starter(picker.value);
  });
  const isPublic = h("input", { type: "checkbox", name: "public" });
  const status = h("div", { "aria-live": "polite" });
  const stdin = h("textarea", { rows: 4, name: "stdin", spellcheck: "false" });
  if (samples[0]) stdin.value = samples[0].input;
  const runOutput = h("div", { class: "run-output", "aria-live": "polite" });

  const submit = async (event) => {
    event.preventDefault();
    status.replaceChildren(h("p", {}, "Submitting…"));
    try {
      const accepted = await api.post("/api/execute/", {
        platform,
        problem_identifier: identifier,
        code: editor.value,
        language: picker.value,
        is_code_public: isPublic.checked,
      });
      location.hash = `#/s/${accepted.task_id}`;
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  };
  const run = async () => {
    runOutput.replaceChildren(h("p", {}, "Running…"));
    try {
      const accepted = await api.post("/api/run/", { code: editor.value, language: picker.value, stdin: stdin.value });
      const follower = new TaskFollower(accepted.websocket, {
        onEvent: (event) => {
          if (event.type === "compile_error") {
            runOutput.replaceChildren(h("h3", {}, "Compile error"), h("pre", { class: "compile" }, event.message));
          } else if (event.type === "run") {
            runOutput.replaceChildren(
              h("p", {}, verdictBadge(event.verdict), ` ${event.cpu_ms} ms · ${event.memory_kb} KB · exit ${event.exit_code ?? event.signal ?? "?"}`),
              h("h3", {}, "Output"),
              h("pre", {}, event.stdout || ""),
              event.stderr ? [h("h3", {}, "Errors"), h("pre", {}, event.stderr)] : null,
            );
          }
        },
      });
      onLeave(() => follower.stop());
      follower.start();
    } catch (error) {
      runOutput.replaceChildren(errorBox(error));
    }
  };

  const stressOutput = h("div", { class: "counterexample", hidden: true, "aria-live": "polite" });
  const stress = async () => {
    stressOutput.hidden = false;
    stressOutput.replaceChildren(...searchingNodes({}));
    try {
      const accepted = await api.post("/api/stress/", {
        platform,
        problem_identifier: identifier,
        code: editor.value,
        language: picker.value,
      });
      const follower = new TaskFollower(accepted.websocket, {
        onEvent: (event) => {
          if (event.type === "compile_error") stressOutput.replaceChildren(h("h3", {}, "Compile error"), h("pre", { class: "compile" }, event.message));
          else if (event.type === "counterexample_progress") stressOutput.replaceChildren(...searchingNodes(event));
          else if (event.type === "counterexample") stressOutput.replaceChildren(...counterexampleNodes(event.counterexample));
          else if (event.type === "counterexample_none") stressOutput.replaceChildren(...counterexampleNodes(null, event.error || null));
        },
      });
      onLeave(() => follower.stop());
      follower.start();
    } catch (error) {
      stressOutput.replaceChildren(errorBox(error));
    }
  };

  document.title = `${problem.title} · AlgoItny`;
  show(
    h("p", { class: "crumbs" }, h("a", { href: "#/problems" }, "Problems"), ` / ${problem.platform} ${problem.problem_identifier}`),
    h("h1", {}, problem.title),
    h(
      "p",
      { class: "limits" },
      `Time limit ${problem.time_limit_ms} ms · Memory ${problem.memory_limit_mb} MB · ${problem.test_case_count} tests`,
      problem.url ? [" · ", h("a", { href: problem.url, rel: "noopener noreferrer" }, "original")] : null,
    ),
    problem.statement ? h("section", { class: "statement" }, h("h2", {}, "Statement"), h("div", { class: "prose" }, problem.statement)) : null,
    problem.constraints ? h("section", {}, h("h2", {}, "Constraints"), h("div", { class: "prose" }, problem.constraints)) : null,
    samplesBlock(samples),
    h(
      "form",
      { class: "submit", onsubmit: submit, "aria-label": "Submit a solution" },
      h("h2", {}, "Submit"),
      field("Language", picker),
      editor.element,
      h("div", { class: "row" }, h("label", {}, isPublic, " Show my code in the public feed"), h("button", { type: "submit" }, "Submit")),
      status,
    ),
    h(
      "details",
      { class: "card" },
      h("summary", {}, "Run on my own input"),
      field("Input", stdin),
      h("button", { type: "button", onclick: run }, "Run"),
      runOutput,
    ),
    h(
      "details",
      { class: "card" },
      h("summary", {}, "Stress-test my code (find a failing input without judging)"),
      h("p", { class: "help" }, "Runs your code against the reference solution on generated inputs, smallest first."),
      h("button", { type: "button", onclick: stress }, "Stress test"),
      stressOutput,
    ),
    session.isAdmin ? h("p", {}, h("a", { href: `#/admin/problem/${encodeURIComponent(platform)}/${encodeURIComponent(identifier)}` }, "Edit this problem")) : null,
  );
}

// --- the live submission view --------------------------------------------------------

function searchingNodes(event) {
  return [
    h("h2", {}, "Looking for a small failing input…"),
    h("p", {}, event.size !== undefined ? `size ${event.size} · ${event.tries} tries` : "searching"),
  ];
}

function counterexampleNodes(found, reason) {
  if (!found) return [h("h2", {}, "Counterexample"), h("p", {}, reason || "No failing input was found within the search's budget.")];
  const difference = firstDifference(found.expected || "", found.output || "");
  const expected = h("pre", { class: "expected", "aria-label": "Expected output" });
  const output = h("pre", { class: "actual", "aria-label": "Your output" });
  renderMarked(expected, found.expected || "", difference);
  renderMarked(output, found.output || "", difference);
  return [
    h("h2", {}, "Smallest failing input found"),
    h(
      "p",
      {},
      verdictBadge(found.verdict),
      ` size ${found.size} · ${found.tries} tries · ${(found.elapsed_ms / 1000).toFixed(1)} s`,
    ),
    h("h3", {}, "Input"),
    h("pre", { class: "input" }, found.input || ""),
    h(
      "div",
      { class: "side-by-side" },
      h("div", {}, h("h3", {}, "Expected"), expected),
      h("div", {}, h("h3", {}, "Your output"), output),
    ),
    difference
      ? h(
          "p",
          { class: "difference" },
          `First difference on line ${difference.line}, token ${difference.token}: expected `,
          h("code", {}, difference.expected ?? "(nothing)"),
          ", found ",
          h("code", {}, difference.found ?? "(nothing)"),
        )
      : null,
    found.checker_message ? h("p", { class: "help" }, found.checker_message) : null,
  ];
}

class SubmissionView {
  constructor(id) {
    this.id = id;
    this.cells = new Map();
    this.grid = h("ol", { class: "tests", "aria-label": "Tests" });
    this.state = h("p", { class: "conn", "aria-live": "polite" });
    this.header = h("div", { class: "summary", "aria-live": "polite" });
    this.compile = h("div");
    this.details = h("div");
    this.counterexample = h("section", { class: "counterexample", hidden: true, "aria-live": "polite" });
    this.hints = h("div");
    this.expected = 0;
  }

  cell(index) {
    let cell = this.cells.get(index);
    if (!cell) {
      cell = h("li", { class: "test pending", title: `Test ${index + 1}: waiting` }, h("span", { class: "n" }, String(index + 1)));
      this.cells.set(index, cell);
      const after = [...this.cells.keys()].filter((i) => i > index).sort((a, b) => a - b)[0];
      if (after === undefined) this.grid.append(cell);
      else this.grid.insertBefore(cell, this.cells.get(after));
    }
    return cell;
  }

  placeholders(total) {
    for (let index = 0; index < total && index < 2000; index += 1) this.cell(index);
  }

  test(result) {
    const cell = this.cell(result.index);
    cell.className = `test v-${result.verdict.toLowerCase()}`;
    cell.dataset.verdict = result.verdict;
    cell.dataset.updates = String(Number(cell.dataset.updates || 0) + 1);
    const label = `Test ${result.index + 1}: ${result.verdict}, ${result.cpu_ms} ms, ${result.memory_kb} KB`;
    cell.title = label;
    cell.setAttribute("aria-label", label);
    cell.replaceChildren(
      h("span", { class: "n" }, String(result.index + 1)),
      h("span", { class: "v" }, result.verdict),
      h("span", { class: "t" }, `${result.cpu_ms} ms`),
      h("span", { class: "m" }, `${Math.round(result.memory_kb / 1024)} MB`),
    );
  }

  summary(summary) {
    this.header.replaceChildren(
      h("span", { class: "big" }, verdictBadge(summary.verdict)),
      ` ${summary.passed} / ${summary.total} passed · max ${summary.max_cpu_ms} ms · max ${Math.round(summary.max_memory_kb / 1024)} MB`,
    );
    announce(`Judging finished: ${summary.verdict}, ${summary.passed} of ${summary.total} passed`);
  }

  compileError(message) {
    this.compile.replaceChildren(h("h2", {}, "Compile error"), h("pre", { class: "compile" }, message || ""));
  }

  showCounterexample(found, reason) {
    this.counterexample.hidden = false;
    this.counterexample.replaceChildren(...counterexampleNodes(found, reason));
  }

  searching(event) {
    this.counterexample.hidden = false;
    this.counterexample.replaceChildren(...searchingNodes(event));
  }

  apply(event) {
    switch (event.type) {
      case "queued":
        this.header.replaceChildren("Queued…");
        break;
      case "compiling":
        this.header.replaceChildren("Compiling…");
        break;
      case "compiled":
        this.header.replaceChildren("Running tests…");
        break;
      case "compile_error":
        this.compileError(event.message);
        break;
      case "test":
        this.test(event);
        break;
      case "done":
        this.summary(event.summary);
        if (event.counterexample === "searching") this.searching({});
        this.onDone?.(event);
        break;
      case "counterexample_progress":
        this.searching(event);
        break;
      case "counterexample_searching":
        this.searching({});
        break;
      case "counterexample":
        this.showCounterexample(event.counterexample);
        break;
      case "counterexample_none":
        this.showCounterexample(null, event.reason === "failed" ? "The search could not run on this problem." : null);
        break;
      default:
        break;
    }
  }

  failedTests(detail) {
    const failed = detail.tests.filter((t) => !t.passed && t.counterexample).slice(0, 3);
    if (!failed.length) return null;
    return h(
      "section",
      {},
      h("h2", {}, "Failed tests"),
      failed.map((t) => {
        const difference = firstDifference(t.counterexample.expected, t.counterexample.output);
        const expected = h("pre", { class: "expected" });
        const output = h("pre", { class: "actual" });
        renderMarked(expected, t.counterexample.expected, difference);
        renderMarked(output, t.counterexample.output, difference);
        return h(
          "details",
          { class: "card", open: t === failed[0] },
          h("summary", {}, `Test ${t.index + 1}: `, verdictBadge(t.verdict), t.checker_message ? ` — ${t.checker_message}` : ""),
          h("h3", {}, "Input"),
          h("pre", {}, t.counterexample.input),
          h("div", { class: "side-by-side" }, h("div", {}, h("h3", {}, "Expected"), expected), h("div", {}, h("h3", {}, "Your output"), output)),
          t.stderr_excerpt ? [h("h3", {}, "Errors"), h("pre", {}, t.stderr_excerpt)] : null,
        );
      }),
    );
  }

  renderDetail(detail) {
    this.placeholders(detail.summary.total);
    for (const test of detail.tests) {
      if (!this.cells.get(test.index)?.dataset.verdict) this.test(test); // the live view drew it already
    }
    if (detail.status === "done") this.summary({ ...detail.summary, verdict: detail.summary.verdict || "…" });
    if (detail.compile_message && detail.summary.verdict === "CE") this.compileError(detail.compile_message);
    if (detail.counterexample) this.showCounterexample(detail.counterexample);
    else if (detail.counterexample_status === "none") this.showCounterexample(null);
    this.details.replaceChildren(
      h(
        "p",
        { class: "help" },
        `${detail.platform} ${detail.problem_identifier} · ${detail.language} · ${formatDate(detail.created_at)} · `,
        h("a", { href: `#/p/${encodeURIComponent(detail.platform)}/${encodeURIComponent(detail.problem_identifier)}` }, detail.problem_title),
      ),
      this.failedTests(detail),
      h("details", {}, h("summary", {}, "Code"), h("pre", { class: "code" }, detail.code)),
    );
    if (detail.status === "done" && detail.summary.verdict !== "AC") this.hintButton();
    if (detail.status === "done" && !detail.counterexample_status && ["WA", "RE", "TLE", "MLE", "OLE"].includes(detail.summary.verdict)) {
      this.searchButton();
    }
  }

  searchButton() {
    const button = h(
      "button",
      {
        type: "button",
        class: "secondary",
        onclick: async () => {
          button.disabled = true;
          try {
            await api.post(`/api/submissions/${this.id}/counterexample`, {});
            this.searching({});
            this.follow(true);
          } catch (error) {
            this.counterexample.hidden = false;
            this.counterexample.replaceChildren(errorBox(error));
            button.disabled = false;
          }
        },
      },
      "Find a small failing input",
    );
    this.hints.append(" ", button);
  }

  hintButton() {
    const button = h(
      "button",
      {
        type: "button",
        onclick: async () => {
          button.disabled = true;
          try {
            const hints = await api.post(`/api/submissions/${this.id}/hints`, {});
            this.hints.replaceChildren(h("h2", {}, "Hints"), h("ol", {}, hints.hints.map((hint) => h("li", {}, hint))));
            if (hints.provisional) {
              // Made while the counterexample search runs: asking again after it ends is free.
              this.hints.append(h("p", {}, "The search for a small failing input is still running: ask again when it ends for hints that use it."), button);
              button.disabled = false;
            }
          } catch (error) {
            this.hints.replaceChildren(errorBox(error));
            button.disabled = false;
          }
        },
      },
      "Give me a hint",
    );
    this.hints.replaceChildren(button);
  }

  // Follows the task's events: from the start (a live or still-searching submission), or
  // only what comes after the stored detail (`afterDetail`: a search asked for just now).
  follow(afterDetail) {
    const follower = new TaskFollower(`/ws/executions/${encodeURIComponent(this.id)}`, {
      onEvent: (event) => {
        if (afterDetail && !event.type.startsWith("counterexample")) return;
        this.apply(event);
      },
      onState: (state) => {
        this.state.dataset.state = state;
        this.state.textContent =
          { connecting: "Connecting…", live: "Live", reconnecting: "Connection lost, reconnecting…", finished: "", gone: "This submission's events are gone." }[state] || "";
      },
    });
    window.algoitnyFollower = follower; // lets a tester drop the connection from the console
    this.onDone = async () => {
      try {
        this.renderDetail(await api.get(`/api/submissions/${encodeURIComponent(this.id)}`));
      } catch {
        // the live view already shows everything the events carried
      }
    };
    this.leave(() => follower.stop());
    follower.start();
  }

  element() {
    return [
      title(`Submission ${this.id.slice(0, 8)}`),
      this.header,
      this.state,
      this.compile,
      this.grid,
      this.counterexample,
      this.details,
      this.hints,
    ];
  }
}

async function submissionView(id) {
  const view = new SubmissionView(id);
  view.leave = onLeave;
  show(...view.element());
  let detail = null;
  try {
    detail = await api.get(`/api/submissions/${encodeURIComponent(id)}`);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) {
      view.state.replaceChildren(errorBox(error));
      return;
    }
  }
  const searching = detail?.counterexample_status === "searching";
  if (detail && detail.status === "done" && !searching) {
    view.renderDetail(detail); // finished: the stored detail is the whole story
    return;
  }
  if (detail) view.placeholders(detail.summary.total || 0);
  view.follow(false);
}

// --- lists ---------------------------------------------------------------------------

async function submissionList(heading, path, empty) {
  const table = h(
    "table",
    { class: "list" },
    h("caption", { class: "visually-hidden" }, heading),
    h("thead", {}, h("tr", {}, ["When", "Problem", "Language", "Verdict", "Passed"].map((c) => h("th", { scope: "col" }, c)))),
  );
  const body = h("tbody");
  table.append(body);
  const status = h("div", { "aria-live": "polite" });
  const more = h("button", { type: "button", hidden: true }, "Older");
  show(title(heading), status, table, more);
  let cursor = null;
  const load = async () => {
    try {
      const page = await api.get(`${path}${query({ limit: 25, cursor })}`);
      for (const item of page.items) {
        body.append(
          h(
            "tr",
            {},
            h("td", {}, h("a", { href: `#/s/${item.submission_id}` }, formatDate(item.created_at))),
            h("td", {}, `${item.platform} ${item.problem_identifier} — ${item.problem_title}`),
            h("td", {}, item.language),
            h("td", {}, verdictBadge(item.status === "done" ? item.summary.verdict : "…")),
            h("td", {}, `${item.summary.passed}/${item.summary.total}`),
          ),
        );
      }
      if (!body.children.length) status.replaceChildren(h("p", {}, empty));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  };
  more.addEventListener("click", load);
  await load();
}

function numbersTable(caption, values) {
  const entries = Object.entries(values || {});
  if (!entries.length) return null;
  return h(
    "table",
    { class: "list" },
    h("caption", {}, caption),
    h("tbody", {}, entries.map(([key, value]) => h("tr", {}, h("th", { scope: "row" }, key), h("td", {}, String(value))))),
  );
}

async function statsView() {
  if (!session.user) {
    show(title("My statistics"), h("p", {}, h("a", { href: "#/signin" }, "Sign in"), " to see your statistics."));
    return;
  }
  try {
    const stats = await api.get("/api/account/stats");
    const scalars = Object.fromEntries(Object.entries(stats).filter(([, v]) => typeof v !== "object" || v === null));
    const maps = Object.entries(stats).filter(([, v]) => v && typeof v === "object" && !Array.isArray(v));
    show(title("My statistics"), numbersTable("Totals", scalars), maps.map(([key, value]) => numbersTable(key.replaceAll("_", " "), value)));
  } catch (error) {
    show(title("My statistics"), error.status === 404 ? h("p", {}, "Statistics are not available on this server yet.") : errorBox(error));
  }
}

// --- routing -------------------------------------------------------------------------

const ROUTES = [
  [/^#\/signin$/, () => signInView()],
  [/^#\/p\/([^/]+)\/([^/?]+)$/, (m) => problemView(decodeURIComponent(m[1]), decodeURIComponent(m[2]))],
  [/^#\/s\/([A-Za-z0-9_-]+)$/, (m) => submissionView(m[1])],
  [/^#\/history$/, () => submissionList("My submissions", "/api/submissions/mine", "Nothing yet — pick a problem and submit.")],
  [/^#\/feed$/, () => submissionList("Public feed", "/api/submissions/public", "No public submissions yet.")],
  [/^#\/stats$/, () => statsView()],
  [/^#\/admin(\/.*)?$/, (m) => adminView(show, onLeave, m[1] || "")],
  [/^#\/problems(\?.*)?$/, (m) => problemsView(new URLSearchParams((m[1] || "").slice(1)))],
];

async function route() {
  for (const fn of cleanup.splice(0)) fn();
  const hash = location.hash || "#/problems";
  for (const [pattern, render] of ROUTES) {
    const match = hash.match(pattern);
    if (match) {
      try {
        await render(match);
      } catch (error) {
        show(errorBox(error));
      }
      return;
    }
  }
  show(title("Not found"), h("p", {}, h("a", { href: "#/problems" }, "Back to the problems")));
}

window.addEventListener("hashchange", route);
window.addEventListener("algoitny:session", renderAccount);
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[href='#/signin']");
  if (link && !location.hash.startsWith("#/signin")) sessionStorage.setItem("algoitny.after-sign-in", location.hash || "#/problems");
});
renderAccount();
route();
