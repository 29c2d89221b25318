// Admin pages: create and edit problems, upload test cases, the stress setup, generation
// jobs with live progress, users and plans. The server decides who is an admin; these
// pages only hide what a non-admin would be refused anyway.

import { api, problemPath, query, session } from "./api.js";
import { announce, errorBox, field, h } from "./dom.js";
import { createEditor } from "./editor.js";
import { TaskFollower } from "./live.js";

const PLATFORMS = ["baekjoon", "codeforces", "leetcode", "atcoder", "custom"];
const BATCH_BYTES = 4 * 1024 * 1024; // keeps each upload under the route's body limit

function select(name, options, value) {
  return h("select", { name }, options.map((option) => h("option", { value: option, selected: option === value }, option)));
}

async function problemForm(show, existing) {
  const isNew = !existing;
  const platform = select("platform", PLATFORMS, existing?.platform || "custom");
  const identifier = h("input", { name: "identifier", required: true, value: existing?.problem_identifier || "", disabled: !isNew });
  const titleInput = h("input", { name: "title", required: true, value: existing?.title || "" });
  const tags = h("input", { name: "tags", value: (existing?.tags || []).join(", ") });
  const statement = h("textarea", { name: "statement", rows: 8 });
  statement.value = existing?.statement || "";
  const timeLimit = h("input", { name: "time_limit_ms", type: "number", min: 100, max: 20000, value: existing?.time_limit_ms || 2000 });
  const memory = h("input", { name: "memory_limit_mb", type: "number", min: 16, max: 2048, value: existing?.memory_limit_mb || 256 });
  const status = select("status", ["draft", "completed"], existing?.status || "draft");
  const refLanguage = h("input", { name: "reference_language", value: existing?.reference_solution?.language || "python" });
  const reference = createEditor({ id: "reference", label: "Reference solution (optional)", value: existing?.reference_solution?.code || "", language: refLanguage.value });
  refLanguage.addEventListener("change", () => reference.setLanguage(refLanguage.value));
  const result = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    {
      class: "card",
      onsubmit: async (event) => {
        event.preventDefault();
        const body = {
          title: titleInput.value.trim(),
          tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean),
          statement: statement.value || null,
          time_limit_ms: Number(timeLimit.value),
          memory_limit_mb: Number(memory.value),
          status: status.value,
          reference_solution: reference.value.trim() ? { language: refLanguage.value.trim(), code: reference.value } : null,
        };
        try {
          if (isNew) {
            const created = await api.post("/api/problems", { ...body, platform: platform.value, problem_identifier: identifier.value.trim() });
            announce("Problem created");
            location.hash = `#/admin/problem/${encodeURIComponent(created.platform)}/${encodeURIComponent(created.problem_identifier)}`;
          } else {
            await api.patch(problemPath(existing.platform, existing.problem_identifier), body);
            result.replaceChildren(h("p", { class: "ok" }, "Saved."));
          }
        } catch (error) {
          result.replaceChildren(errorBox(error));
        }
      },
    },
    h("h2", {}, isNew ? "New problem" : "Problem"),
    field("Platform", platform),
    field("Identifier", identifier),
    field("Title", titleInput),
    field("Tags", tags, "Comma-separated"),
    field("Statement", statement),
    field("Time limit (ms)", timeLimit),
    field("Memory limit (MB)", memory),
    field("Status", status, "Drafts are visible to admins only"),
    field("Reference language", refLanguage),
    reference.element,
    h("button", { type: "submit" }, isNew ? "Create" : "Save"),
    result,
  );
  return form;
}

// Files named like 01.in + 01.out (or .ans), or 1.txt + 1.a, are paired by their stem.
export function pairFiles(files) {
  const inputs = new Map();
  const outputs = new Map();
  for (const file of files) {
    const match = file.name.match(/^(.*)\.(in|inp|input|txt|out|ans|a|output)$/i);
    if (!match) continue;
    const [, stem, ext] = match;
    const isInput = /^(in|inp|input|txt)$/i.test(ext);
    (isInput ? inputs : outputs).set(stem, file);
  }
  const pairs = [];
  for (const [stem, input] of inputs) {
    const output = outputs.get(stem);
    if (output) pairs.push({ stem, input, output });
  }
  pairs.sort((a, b) => a.stem.localeCompare(b.stem, undefined, { numeric: true }));
  return { pairs, unpaired: inputs.size + outputs.size - 2 * pairs.length };
}

function uploadForm(problem) {
  const files = h("input", { type: "file", multiple: true, name: "files" });
  const kind = select("kind", ["manual", "sample"], "manual");
  const progress = h("progress", { max: 1, value: 0, "aria-label": "Upload progress" });
  const status = h("div", { "aria-live": "polite" });
  return h(
    "form",
    {
      class: "card",
      onsubmit: async (event) => {
        event.preventDefault();
        const { pairs, unpaired } = pairFiles([...files.files]);
        if (!pairs.length) {
          status.replaceChildren(errorBox({ message: "Choose input and output files named like 1.in and 1.out." }));
          return;
        }
        progress.max = pairs.length;
        progress.value = 0;
        let added = 0;
        let existing = 0;
        let batch = [];
        let bytes = 0;
        const flush = async () => {
          if (!batch.length) return;
          const answer = await api.post(`${problemPath(problem.platform, problem.problem_identifier)}/test-cases`, { test_cases: batch });
          added += answer.added.length;
          existing += answer.existing.length;
          progress.value += batch.length;
          status.replaceChildren(h("p", {}, `${progress.value} / ${pairs.length} uploaded`));
          batch = [];
          bytes = 0;
        };
        try {
          for (const pair of pairs) {
            const [input, output] = await Promise.all([pair.input.text(), pair.output.text()]);
            if (bytes + input.length + output.length > BATCH_BYTES || batch.length >= 500) await flush();
            batch.push({ input, output, kind: kind.value });
            bytes += input.length + output.length;
          }
          await flush();
          status.replaceChildren(
            h("p", { class: "ok" }, `Done: ${added} added, ${existing} already there${unpaired ? `, ${unpaired} files without a pair skipped` : ""}.`),
          );
          announce("Upload finished");
        } catch (error) {
          status.replaceChildren(errorBox(error));
        }
      },
    },
    h("h2", {}, "Upload test cases"),
    field("Files", files, "Select many at once: 1.in, 1.out, 2.in, 2.out, …"),
    field("Kind", kind),
    h("button", { type: "submit" }, "Upload"),
    progress,
    status,
  );
}

async function stressForm(problem) {
  const path = `${problemPath(problem.platform, problem.problem_identifier)}/stress`;
  let current = null;
  try {
    current = await api.get(path);
  } catch (error) {
    if (error.code !== "stress_setup_not_found") return null; // no counterexample search on this server
  }
  const generator = createEditor({ id: "generator", label: "Generator (Python: reads \"size seed\", prints one input)", value: current?.generator || "", language: "python" });
  const validator = createEditor({ id: "validator", label: "Validator (optional; Python: exit 0 when the input is valid)", value: current?.validator || "", language: "python" });
  const min = h("input", { type: "number", min: 1, value: current?.sizes?.min ?? 1, name: "size_min" });
  const max = h("input", { type: "number", min: 1, value: current?.sizes?.max ?? 12, name: "size_max" });
  const status = h("div", { "aria-live": "polite" });
  return h(
    "form",
    {
      class: "card",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const body = { generator: generator.value, sizes: { min: Number(min.value), max: Number(max.value) } };
          if (validator.value.trim()) body.validator = validator.value;
          await api.put(path, body);
          status.replaceChildren(h("p", { class: "ok" }, "Stress setup saved."));
        } catch (error) {
          status.replaceChildren(errorBox(error));
        }
      },
    },
    h("h2", {}, "Stress setup (counterexamples)"),
    generator.element,
    validator.element,
    h("div", { class: "row" }, field("Smallest size", min), field("Largest size", max)),
    h("button", { type: "submit" }, "Save stress setup"),
    status,
  );
}

function generationForm(problem, onLeave) {
  const script = createEditor({ id: "gen-script", label: "Generator script (empty: ask the AI model)", language: "python" });
  const log = h("ol", { class: "log", "aria-live": "polite" });
  const progress = h("progress", { max: 1, value: 0, "aria-label": "Generation progress" });
  const status = h("div", { "aria-live": "polite" });
  return h(
    "form",
    {
      class: "card",
      onsubmit: async (event) => {
        event.preventDefault();
        log.replaceChildren();
        try {
          const body = script.value.trim() ? { generator_script: script.value } : {};
          const job = await api.post(`${problemPath(problem.platform, problem.problem_identifier)}/generation-jobs`, body);
          status.replaceChildren(h("p", {}, `Job ${job.job_id} queued`));
          const follower = new TaskFollower(job.websocket, {
            onEvent: (e) => {
              if (e.type === "progress") {
                progress.max = e.total || 1;
                progress.value = e.done;
              }
              const text = e.type === "progress" ? `${e.step}: ${e.done}/${e.total}` : e.type === "done" ? `done: ${e.status}, ${e.added} added${e.error ? ` — ${e.error}` : ""}` : e.type;
              log.append(h("li", {}, text));
            },
          });
          onLeave(() => follower.stop());
          follower.start();
        } catch (error) {
          status.replaceChildren(errorBox(error));
        }
      },
    },
    h("h2", {}, "Generate test cases"),
    script.element,
    h("button", { type: "submit" }, "Start a generation job"),
    progress,
    status,
    log,
  );
}

async function usersAndPlans(show) {
  const plans = await api.get("/api/plans");
  const prefix = h("input", { type: "search", name: "email_prefix" });
  const body = h("tbody");
  const status = h("div", { "aria-live": "polite" });
  const load = async () => {
    body.replaceChildren();
    try {
      const page = await api.get(`/api/admin/users${query({ email_prefix: prefix.value.trim(), limit: 50 })}`);
      for (const user of page.items) {
        const plan = select("plan", plans.map((p) => p.name), user.plan);
        plan.setAttribute("aria-label", `Plan of ${user.email}`);
        plan.addEventListener("change", async () => {
          try {
            await api.put(`/api/admin/users/${encodeURIComponent(user.user_id)}/plan`, { plan: plan.value });
            announce(`${user.email} is on ${plan.value} now`);
          } catch (error) {
            status.replaceChildren(errorBox(error));
          }
        });
        const active = h("input", { type: "checkbox", name: "active", "aria-label": `${user.email} may sign in` });
        active.checked = user.active;
        active.addEventListener("change", async () => {
          try {
            await api.put(`/api/admin/users/${encodeURIComponent(user.user_id)}/active`, { active: active.checked });
            announce(`${user.email} is ${active.checked ? "active" : "deactivated"} now`);
          } catch (error) {
            active.checked = !active.checked;
            status.replaceChildren(errorBox(error));
          }
        });
        body.append(h("tr", {}, h("td", {}, user.email), h("td", {}, user.name), h("td", {}, user.role), h("td", {}, plan), h("td", {}, active)));
      }
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  };
  show(
    h("h1", {}, "Users and plans"),
    h("form", { role: "search", onsubmit: (e) => { e.preventDefault(); load(); } }, field("Email starts with", prefix), h("button", { type: "submit" }, "Find")),
    status,
    h("table", { class: "list" }, h("caption", {}, "Users"), h("thead", {}, h("tr", {}, ["Email", "Name", "Role", "Plan", "Active"].map((c) => h("th", { scope: "col" }, c)))), body),
    h(
      "table",
      { class: "list" },
      h("caption", {}, "Plans"),
      h("thead", {}, h("tr", {}, ["Plan", "Executions/day", "Hints/day", "May register problems"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, plans.map((p) => h("tr", {}, h("td", {}, p.display_name), h("td", {}, p.daily_executions), h("td", {}, p.daily_hints), h("td", {}, p.can_register_problems ? "yes" : "no")))),
    ),
  );
  await load();
}

export async function adminView(show, onLeave, sub) {
  if (!session.isAdmin) {
    show(h("h1", {}, "Admin"), h("p", {}, "Admins only. ", h("a", { href: "#/signin" }, "Sign in"), " with an admin account."));
    return;
  }
  const edit = sub.match(/^\/problem\/([^/]+)\/([^/]+)$/);
  if (edit) {
    const [platform, identifier] = [decodeURIComponent(edit[1]), decodeURIComponent(edit[2])];
    try {
      const problem = await api.get(problemPath(platform, identifier));
      show(
        h("h1", {}, `${problem.platform} ${problem.problem_identifier}`),
        h("p", {}, h("a", { href: `#/p/${edit[1]}/${edit[2]}` }, "Open the problem page"), ` · ${problem.test_case_count} test cases`),
        await problemForm(show, problem),
        uploadForm(problem),
        await stressForm(problem),
        generationForm(problem, onLeave),
      );
    } catch (error) {
      show(h("h1", {}, "Problem"), errorBox(error));
    }
    return;
  }
  if (sub === "/users") {
    await usersAndPlans(show);
    return;
  }
  show(
    h("h1", {}, "Admin"),
    h("ul", {}, h("li", {}, h("a", { href: "#/admin/users" }, "Users and plans")), h("li", {}, "Edit a problem from its page (“Edit this problem”).")),
    await problemForm(show, null),
  );
}
