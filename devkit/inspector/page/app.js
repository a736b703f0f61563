// The inspector page: plain DOM, no framework and no build step. It reads the dev session's JSON API and asks
// again whenever the Server-Sent Events stream says the history moved. Every value is shown with textContent.

const state = { selected: decodeURIComponent(location.hash.replace(/^#entity=/, "")), version: -1, busy: false };

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
  }
  return node;
}

// Messages are shown without their `$type` tags (the column or heading says the type); the API keeps them.
const untagged = (key, value) => (key === "$type" ? undefined : value);
// One line, as a JavaScript literal would read: `{ productId: "fig", quantity: 2 }`.
const inline = (value) => {
  if (Array.isArray(value)) return `[${value.map(inline).join(", ")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const fields = Object.entries(value).filter(([key]) => key !== "$type");
  return fields.length === 0 ? "{}" : `{ ${fields.map(([key, item]) => `${key}: ${inline(item)}`).join(", ")} }`;
};
// Short values on one line, longer ones one field a line.
const json = (value) => {
  if (value === undefined) return el("pre", {}, "");
  const line = inline(value);
  return el("pre", {}, line.length <= 72 ? line : JSON.stringify(value, untagged, 1));
};
const time = (ms) => new Date(ms).toLocaleTimeString();
const shortType = (url) => (url ?? "").slice((url ?? "").lastIndexOf("/") + 1);

async function get(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function banner(text) {
  const node = document.getElementById("banner");
  node.hidden = text === undefined;
  node.textContent = text ?? "";
}

function renderSession(session) {
  const current = session.processes.at(-1);
  const parts = [`project ${session.project}`];
  if (session.proxy) parts.push(`proxy: gRPC and HTTP/JSON on 127.0.0.1:${session.proxy.port}`);
  parts.push(current ? `user function pid ${current.pid} connected` : "no user function has connected yet");
  if (session.dropped > 0) parts.push(`${session.dropped} record(s) dropped`);
  document.getElementById("session").textContent = parts.join(" · ");
  if (!current) {
    banner(
      "No user function has sent anything yet. It connects when it calls serve() from cloudstate-ts under `cloudstate-ts dev`.",
    );
  } else banner(undefined);
}

function renderEntities(entities) {
  const nav = document.getElementById("entities");
  nav.replaceChildren();
  if (entities.length === 0) nav.append(el("p", { class: "hint", style: "padding: 0 1em" }, "No entity yet."));
  const byService = new Map();
  for (const entity of entities) {
    if (!byService.has(entity.serviceName)) byService.set(entity.serviceName, []);
    byService.get(entity.serviceName).push(entity);
  }
  for (const [service, list] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    nav.append(el("div", { class: "service" }, `${service} (${list[0].kind})`));
    for (const entity of list) {
      nav.append(
        el(
          "a",
          {
            href: `#entity=${encodeURIComponent(entity.key)}`,
            class: entity.key === state.selected ? "selected" : "",
            "data-testid": "entity",
            "data-key": entity.key,
            onclick: () => select(entity.key),
          },
          entity.entityId === "" ? "(calls)" : entity.entityId,
          entity.diverged ? el("span", { class: "flag" }, " ⚠ diverged") : undefined,
          el(
            "div",
            { class: "meta" },
            `${entity.kind === "event-sourced" ? `${entity.events} events · ` : ""}${entity.commands} commands · ${time(entity.lastActivity)}`,
          ),
        ),
      );
    }
  }
}

function renderDivergence(entity) {
  if (entity.divergence) {
    const d = entity.divergence;
    return el(
      "div",
      { class: "divergence", "data-testid": "divergence" },
      el("strong", {}, `Replay divergence at event ${d.sequence} (${d.type}): `),
      d.failure
        ? `the current code cannot apply it: ${d.failure}`
        : "the current code builds another state from the recorded events than the code that recorded them.",
      el(
        "table",
        {},
        el("tr", {}, el("th", {}, "state the old code built"), el("th", {}, "state the current code builds")),
        el("tr", {}, el("td", {}, json(d.recorded)), el("td", {}, json(d.rebuilt))),
      ),
    );
  }
  if (entity.rebuiltBy) {
    return el(
      "p",
      { class: "rebuilt-ok", "data-testid": "rebuilt" },
      `✓ The current code (pid ${entity.rebuiltBy.pid}) rebuilds the same state from all ${entity.rebuiltBy.events} recorded events.`,
    );
  }
  return undefined;
}

function renderJournal(entity) {
  if (entity.kind !== "event-sourced") return undefined;
  const rows = entity.journal.map((entry) =>
    el(
      "tr",
      {
        class: entry.rebuiltState !== undefined ? "diverged" : "",
        "data-testid": "journal-entry",
        "data-sequence": entry.sequence,
      },
      el("td", {}, entry.sequence, entry.snapshot ? el("div", { class: "tag" }, "snapshot") : undefined),
      el("td", {}, shortType(entry.type), el("div", { class: "tag" }, entry.origin)),
      el("td", {}, json(entry.event)),
      el("td", { "data-testid": "state-after" }, json(entry.state)),
      el("td", {}, entry.rebuiltState !== undefined ? json(entry.rebuiltState) : ""),
    ),
  );
  return [
    el("h3", {}, `Journal (${entity.journal.length} events)`),
    el(
      "table",
      { "data-testid": "journal" },
      el(
        "tr",
        {},
        el("th", {}, "seq"),
        el("th", {}, "event"),
        el("th", {}, "as JSON"),
        el("th", {}, "state after"),
        el("th", {}, "rebuilt by the current code (when it differs)"),
      ),
      rows,
    ),
  ];
}

function renderValues(entity) {
  if (entity.kind === "value" && entity.values.length > 0) {
    return [
      el("h3", {}, "Stored states"),
      el(
        "table",
        {},
        el("tr", {}, el("th", {}, "when"), el("th", {}, "action"), el("th", {}, "state")),
        entity.values.map((v) =>
          el("tr", {}, el("td", {}, time(v.at)), el("td", {}, v.action), el("td", {}, json(v.state))),
        ),
      ),
    ];
  }
  if (entity.kind === "crdt") {
    return [
      el("h3", {}, "Deltas"),
      el(
        "table",
        {},
        el(
          "tr",
          {},
          el("th", {}, "when"),
          el("th", {}, "direction"),
          el("th", {}, "write consistency"),
          el("th", {}, "state after"),
        ),
        entity.deltas.map((d) =>
          el(
            "tr",
            {},
            el("td", {}, time(d.at)),
            el("td", {}, d.direction),
            el("td", {}, d.writeConsistency ?? ""),
            el("td", {}, json(d.state)),
          ),
        ),
      ),
      el("h3", {}, "Subscriptions"),
      el(
        "table",
        {},
        el("tr", {}, el("th", {}, "call"), el("th", {}, "since"), el("th", {}, "status")),
        entity.subscriptions.map((s) =>
          el(
            "tr",
            {},
            el("td", {}, `${s.commandName} #${s.commandId}`),
            el("td", {}, time(s.at)),
            el("td", {}, s.open ? "open" : `ended (${s.reason})`),
          ),
        ),
      ),
    ];
  }
  return undefined;
}

async function copyTest(command, cell) {
  const copied = await fetch(`/api/test?command=${encodeURIComponent(command.id)}`).then((r) => r.json());
  const box = el("textarea", { "data-testid": "copied-test", readonly: true });
  box.value = copied.text ?? copied.error;
  cell.replaceChildren(
    el("div", {}, copied.file ? `Save as ${copied.file} (copied to the clipboard when the browser allows):` : ""),
    box,
  );
  if (copied.text) navigator.clipboard?.writeText(copied.text).catch(() => undefined);
}

function renderCommand(command) {
  const answer =
    command.outcome === undefined
      ? el("span", { class: "tag" }, "in progress")
      : command.outcome === "failure" || command.outcome === "error"
        ? el(
            "span",
            { class: `outcome-${command.outcome}`, "data-testid": "failure" },
            `${command.outcome}: ${command.failure}`,
          )
        : el(
            "div",
            { class: `outcome-${command.outcome}` },
            command.outcome,
            command.reply
              ? json(command.reply.json ?? { typeUrl: command.reply.typeUrl, base64: command.reply.base64 })
              : undefined,
            command.forward ? ` → ${command.forward.serviceName}.${command.forward.commandName}` : undefined,
          );
  const details = [];
  if (command.events.length > 0)
    details.push(`events ${command.events.map((e) => `#${e.sequence} ${shortType(e.type)}`).join(", ")}`);
  if (command.sideEffects.length > 0)
    details.push(
      `side effects ${command.sideEffects.map((s) => `${s.serviceName}.${s.commandName}${s.synchronous ? " (sync)" : ""}`).join(", ")}`,
    );
  if (command.stateChange)
    details.push(
      `state ${command.stateChange.action}${command.stateChange.writeConsistency ? ` (${command.stateChange.writeConsistency})` : ""}`,
    );
  if (command.snapshot) details.push("snapshot written");
  if (command.traceId) details.push(`trace ${command.traceId}`);
  const metadata = command.metadata.filter((m) => !/^(:|x-forwarded|x-request-id|x-envoy)/.test(m.key));
  const actions = el("td", {});
  if (command.kind === "event-sourced" && command.outcome !== undefined) {
    actions.append(
      el("button", { "data-testid": "copy-test", onclick: () => copyTest(command, actions) }, "Copy as test"),
    );
  }
  return el(
    "tr",
    { "data-testid": "command", "data-command": command.id, "data-outcome": command.outcome ?? "" },
    el("td", {}, time(command.at), el("div", { class: "tag" }, `pid ${command.pid}`)),
    el(
      "td",
      {},
      command.commandName,
      command.durationMs !== undefined ? el("div", { class: "tag" }, `${command.durationMs.toFixed(1)} ms`) : undefined,
    ),
    el("td", { "data-testid": "request" }, json(command.request?.json ?? command.request)),
    el("td", {}, answer, details.length > 0 ? el("div", { class: "hint" }, details.join(" · ")) : undefined),
    el("td", {}, metadata.length > 0 ? json(Object.fromEntries(metadata.map((m) => [m.key, m.value]))) : ""),
    actions,
  );
}

function renderDetail(entity) {
  const section = document.getElementById("detail");
  if (entity === undefined) {
    section.replaceChildren(el("p", { class: "hint" }, "Pick an entity on the left."));
    return;
  }
  const commands = [...entity.commands].reverse();
  const parts = [
    el(
      "h2",
      { "data-testid": "entity-title" },
      `${entity.serviceName} · ${entity.entityId || "(calls)"} `,
      el("span", { class: "tag" }, entity.kind),
    ),
    renderDivergence(entity),
    entity.kind === "action"
      ? undefined
      : [el("h3", {}, "State now"), el("div", { "data-testid": "state" }, json(entity.state))],
    renderJournal(entity),
    renderValues(entity),
    el("h3", {}, `Commands (${entity.commands.length}, newest first)`),
    el(
      "table",
      { "data-testid": "commands" },
      el(
        "tr",
        {},
        el("th", {}, "when"),
        el("th", {}, "command"),
        el("th", {}, "request"),
        el("th", {}, "answer"),
        el("th", {}, "metadata"),
        el("th", {}, ""),
      ),
      commands.map(renderCommand),
    ),
  ];
  section.replaceChildren(...parts.flat(Infinity).filter((part) => part !== undefined && part !== null));
}

function select(key) {
  state.selected = key;
  state.version = -1;
  refresh();
}

async function refresh() {
  if (state.busy) {
    state.again = true;
    return;
  }
  state.busy = true;
  try {
    const [session, list] = await Promise.all([get("/api/session"), get("/api/entities")]);
    renderSession(session);
    renderEntities(list.entities);
    if (!state.selected && list.entities.length > 0) state.selected = list.entities[0].key;
    // Keep a copied test open until something new happens to the entity.
    if (state.selected && list.version !== state.version) {
      const entity = await get(`/api/entity?key=${encodeURIComponent(state.selected)}`).catch(() => undefined);
      renderDetail(entity);
      state.version = list.version;
    }
  } catch (error) {
    banner(`The dev session does not answer (${error.message}). Is \`cloudstate-ts dev\` still running?`);
  } finally {
    state.busy = false;
    if (state.again) {
      state.again = false;
      refresh();
    }
  }
}

const events = new EventSource("/events");
events.addEventListener("change", () => refresh());
events.addEventListener("error", () =>
  banner("Lost the dev session: `cloudstate-ts dev` stopped or restarted. This page reconnects by itself."),
);
window.addEventListener("hashchange", () => select(decodeURIComponent(location.hash.replace(/^#entity=/, ""))));
refresh();
