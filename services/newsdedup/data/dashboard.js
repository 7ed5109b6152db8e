// newsdedup dashboard: renders /api/snapshot and every snapshot pushed on /api/stream (Server-Sent Events).
// Plain DOM and SVG, no library. Text from the topics is set with textContent, never as HTML. Each section
// renders on its own: a section that fails shows its error and the others still show their data.
"use strict";

const KINDS = [
  ["exact_duplicate", "exact copies", "EXACT"],
  ["near_duplicate", "near copies", "NEAR"],
  ["same_story", "same story", "STORY"],
  ["self_repetition", "repetition cleaned", "REPEAT"],
];
const TILES = [
  ["articles", "articles"], ["unique", "unique"], ["exact_duplicate", "exact copies"],
  ["near_duplicate", "near copies"], ["same_story", "same story"], ["self_repetition", "repetition cleaned"],
  ["dead_letters", "dead letters"],
];
const SVG = "http://www.w3.org/2000/svg";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function num(value) {
  return value === null || value === undefined ? "–" : Number(value).toLocaleString("en");
}

function fixed(value, digits) {
  return typeof value === "number" ? value.toFixed(digits) : "–";
}

function replace(id, ...children) {
  const node = document.getElementById(id);
  node.replaceChildren(...children);
  return node;
}

// ---- charts: bars (optionally stacked) and lines over the hour's 60 minutes ----

function axes(root, max, unit) {
  root.append(svg("line", { x1: 40, y1: 130, x2: 596, y2: 130, class: "axis" }));
  for (const [y, label] of [[10, max], [70, max / 2]]) {
    root.append(svg("line", { x1: 40, y1: y, x2: 596, y2: y, class: "grid" }));
    const text = svg("text", { x: 36, y: y + 4, class: "tick", "text-anchor": "end" });
    text.textContent = num(Math.round(label)) + (unit || "");
    root.append(text);
  }
  for (const [x, label] of [[40, "−60 min"], [318, "−30 min"], [596, "now"]]) {
    const text = svg("text", { x, y: 146, class: "tick", "text-anchor": x === 40 ? "start" : x === 596 ? "end" : "middle" });
    text.textContent = label;
    root.append(text);
  }
}

function niceMax(value) {
  if (value <= 0) return 1;
  const step = Math.pow(10, Math.floor(Math.log10(value)));
  for (const m of [1, 2, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}

function barChart(id, layers, minutes) {
  const root = document.getElementById(id);
  root.replaceChildren();
  const count = layers[0].values.length;
  const totals = Array.from({ length: count }, (_, i) => layers.reduce((s, l) => s + (l.values[i] || 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  axes(root, max);
  const width = 556 / count;
  for (let i = 0; i < count; i++) {
    let base = 130;
    for (const layer of layers) {
      const h = ((layer.values[i] || 0) / max) * 120;
      if (h <= 0) continue;
      const bar = svg("rect", { x: 40 + i * width + 1, y: base - h, width: Math.max(width - 2, 1), height: h, class: layer.cls });
      const tip = svg("title", {});
      tip.textContent = `${minutes[i]}: ${num(layer.values[i])} ${layer.label}`;
      bar.append(tip);
      root.append(bar);
      base -= h;
    }
  }
}

function lineChart(id, lines) {
  const root = document.getElementById(id);
  root.replaceChildren();
  const max = niceMax(Math.max(0, ...lines.flatMap((l) => l.values)));
  axes(root, max);
  const count = lines[0].values.length;
  for (const line of lines) {
    const points = line.values
      .map((v, i) => (v > 0 ? `${40 + (i + 0.5) * (556 / count)},${130 - (v / max) * 120}` : null))
      .filter((p) => p !== null);
    if (points.length) root.append(svg("polyline", { points: points.join(" "), class: line.cls }));
  }
}

// ---- sections ----

function renderCounts(s) {
  const tiles = TILES.map(([key, label]) =>
    el("div", { class: `tile t-${key}` }, el("span", { class: "value", id: `count-${key}` }, num(s.totals[key])),
      el("span", { class: "label" }, label)));
  const latency = (s.service && s.service.latency_ms) || {};
  tiles.push(el("div", { class: "tile" }, el("span", { class: "value", id: "count-live-stories" }, num(s.live_stories)),
    el("span", { class: "label" }, "live stories")));
  tiles.push(el("div", { class: "tile" }, el("span", { class: "value", id: "count-latency-p99" }, fixed(latency.p99, 0)),
    el("span", { class: "label" }, "p99 latency, ms")));
  tiles.push(el("div", { class: "tile" }, el("span", { class: "value", id: "count-lag" }, num(s.service && s.service.lag)),
    el("span", { class: "label" }, "consumer lag")));
  replace("counts", ...tiles);
}

function renderCharts(s) {
  const series = s.series;
  barChart("chart-articles", [{ values: series.articles, cls: "b-articles", label: "articles" }], series.minutes);
  barChart("chart-findings", KINDS.map(([key, label]) => ({ values: series[key], cls: `b-${key}`, label })), series.minutes);
  lineChart("chart-latency", [{ values: series.p50, cls: "l-p50" }, { values: series.p99, cls: "l-p99" }]);
  replace("legend-findings", ...KINDS.flatMap(([key, label]) => [el("i", { class: `k-${key}` }), label + " "]));
}

function renderStories(s) {
  replace("live-stories", `(${num(s.live_stories)} live)`);
  const items = s.top_stories.map((story) => {
    const rep = story.representative || {};
    const title = rep.title || story.story_id;
    const heading = rep.url ? el("a", { href: rep.url, rel: "noreferrer", dir: "auto" }, title) : el("span", { dir: "auto" }, title);
    const max = Math.max(1, ...story.sources.map(([, n]) => n));
    const outlets = story.sources.map(([name, n]) =>
      el("li", { class: "outlet", "data-source": name }, el("span", { class: "bar", style: `width:${(n / max) * 100}%` }),
        el("span", { class: "name" }, name), el("span", { class: "n" }, `×${n}`)));
    const statuses = Object.entries(story.by_status || {}).filter(([, n]) => n > 0)
      .map(([k, n]) => el("span", { class: `badge s-${k}` }, `${n} ${k.replace("_", " ")}`));
    return el("li", { class: "story", id: `story-${story.story_id}`, "data-story-id": story.story_id,
      "data-outlets": story.outlets },
      el("div", { class: "story-head" }, el("span", { class: "outlets" }, `${story.outlets} outlets`),
        el("span", { class: "members" }, `${story.members} articles`), heading),
      el("div", { class: "muted" }, `first ${rep.source || "?"} · seen ${story.first_seen} → ${story.last_seen}`, " ", ...statuses),
      el("ul", { class: "outlet-list" }, ...outlets,
        story.outlets > story.sources.length ? el("li", { class: "outlet muted" }, `+${story.outlets - story.sources.length} more`) : null));
  });
  replace("stories", ...(items.length ? items : [el("li", { class: "empty" }, "no live stories yet")]));
}

function renderSources(s) {
  const rows = s.sources.map((r) => {
    const copies = r.exact_duplicate + r.near_duplicate + r.same_story;
    const share = r.articles ? copies / r.articles : 0;
    return el("tr", { "data-source": r.source }, el("td", {}, r.source), el("td", {}, num(r.articles)),
      el("td", {}, num(r.unique)), el("td", {}, num(r.exact_duplicate)), el("td", {}, num(r.near_duplicate)),
      el("td", {}, num(r.same_story)), el("td", {}, num(r.self_repetition)), el("td", {}, num(r.dead_letters)),
      el("td", { class: "share" }, el("span", { class: "bar", style: `width:${share * 100}%` }),
        el("span", { class: "n" }, `${Math.round(share * 100)}%`)));
  });
  document.querySelector("#sources tbody").replaceChildren(...rows);
}

function terms(label, list, cls) {
  if (!list || !list.length) return null;
  return el("div", { class: "terms" }, el("span", { class: "muted" }, label + ": "),
    ...list.map((t) => el("span", { class: `term ${cls}` }, t)));
}

function titles(f) {
  // The copy's title beside its original's, where the stories topic knows them (dir=auto: Arabic reads right to left).
  const known = [f.title, f.original_title].filter((t) => t);
  if (!known.length) return null;
  const text = f.title && f.original_title && f.title !== f.original_title ? `“${f.title}” ← “${f.original_title}”` : `“${known[0]}”`;
  return el("div", { class: "titles muted", dir: "auto" }, text);
}

function renderFindings(s) {
  const received = KINDS.map(([key, label]) => `${num(s.received[key])} ${label}`).join(" · ");
  replace("findings-received", `(received: ${received})`);
  const items = s.findings.map((f) => {
    const kind = KINDS.find(([key]) => key === f.type) || [f.type, f.type, f.type];
    const ev = f.evidence || {};
    const original = el("a", { href: `#story-${f.cluster_id}`, class: "original", "data-original": f.duplicate_of },
      f.duplicate_of, f.original_source ? ` [${f.original_source}]` : "");
    return el("li", { class: "finding", "data-type": f.type, "data-article-id": f.article_id },
      el("div", {}, el("span", { class: `badge s-${f.type}` }, kind[2]), " ",
        el("b", { class: "copy" }, f.article_id), ` [${f.source}] `,
        f.type === "same_story" ? "retells " : "copies ", original,
        f.similarity !== null ? el("span", { class: "sim" }, ` similarity ${fixed(f.similarity, 2)}`) : null),
      titles(f),
      el("div", { class: "evidence" }, el("span", { class: "reason" }, ev.reason || "no evidence given"),
        typeof ev.overlap === "number" ? el("span", { class: "overlap" }, ` · overlap ${fixed(ev.overlap, 2)}`) : null,
        typeof ev.figures_changed === "number" ? ` · ${ev.figures_changed} figures changed` : null),
      terms("shared", ev.rare_shared, "shared"), terms("only in original", ev.rare_only_earlier, "earlier"),
      terms("only in copy", ev.rare_only_later, "later"), terms("figures only in original", ev.figures_only_earlier, "earlier"),
      terms("figures only in copy", ev.figures_only_later, "later"));
  });
  replace("findings", ...(items.length ? items : [el("li", { class: "empty" }, "no findings in the last hour")]));
}

function strip(rep) {
  // The original body as a bar: removed spans in red, the copies they repeat outlined.
  const body = rep.body_chars || Math.max(1, ...rep.spans.map((sp) => sp.end));
  const root = svg("svg", { viewBox: "0 0 300 14", class: "strip" });
  root.append(svg("rect", { x: 0, y: 2, width: 300, height: 10, class: "kept" }));
  for (const sp of rep.spans) {
    const twin = svg("rect", { x: (sp.twin_start / body) * 300, y: 2, width: Math.max(((sp.end - sp.start) / body) * 300, 1), height: 10, class: "twin" });
    const cut = svg("rect", { x: (sp.start / body) * 300, y: 2, width: Math.max(((sp.end - sp.start) / body) * 300, 1), height: 10, class: "removed" });
    root.append(twin, cut);
  }
  return root;
}

function renderRepetitions(s) {
  const items = s.repetitions.map((f) => {
    const rep = f.repetition || { spans: [] };
    const kinds = [...new Set(rep.spans.map((sp) => sp.kind))].join(", ");
    return el("li", { class: "repetition", "data-article-id": f.article_id },
      el("div", {}, el("b", {}, f.article_id), ` [${f.source}] `, f.title ? el("span", { class: "muted", dir: "auto" }, `“${f.title}”`) : null),
      el("div", { class: "before-after" }, "before ", el("b", { class: "before" }, num(rep.body_chars)), " chars → after ",
        el("b", { class: "after" }, num(rep.after_chars)), ` chars (−${num(rep.removed_chars)}: ${kinds || "?"})`),
      strip(rep));
  });
  replace("repetitions", ...(items.length ? items : [el("li", { class: "empty" }, "no repetition cleaned in the last hour")]));
}

function renderErrors(s) {
  let total = 0;
  const last = [];
  for (const topic of ["stories", "stats", "events"]) {
    const e = (s.errors && s.errors[topic]) || { count: 0 };
    total += e.count;
    replace(`errors-${topic}`, num(e.count));
    if (e.last) last.push(`${topic}: ${e.last}`);
  }
  replace("errors-last", last.length ? `(last: ${last.join("; ")})` : "");
  document.getElementById("errors").classList.toggle("bad", total > 0);
}

const SECTIONS = [renderErrors, renderCounts, renderCharts, renderStories, renderSources, renderFindings, renderRepetitions];

function render(snapshot) {
  const failed = [];
  for (const section of SECTIONS) {
    try {
      section(snapshot);
    } catch (err) {
      failed.push(`${section.name}: ${err}`);
    }
  }
  const status = document.getElementById("status");
  status.textContent = `updated ${snapshot.generated_at}` + (failed.length ? ` — could not draw ${failed.join("; ")}` : "");
  status.dataset.version = snapshot.version;
  status.classList.toggle("bad", failed.length > 0);
}

function receive(text) {
  let snapshot;
  try {
    snapshot = JSON.parse(text);
  } catch (err) {
    document.getElementById("status").textContent = `an update could not be read: ${err}`;
    return;
  }
  render(snapshot);
}

fetch("/api/snapshot").then((r) => r.text()).then(receive).catch((err) => {
  document.getElementById("status").textContent = `no data yet: ${err}`;
});
const stream = new EventSource("/api/stream");
stream.onmessage = (message) => receive(message.data);
stream.onerror = () => {
  const status = document.getElementById("status");
  status.textContent = "connection lost, reconnecting… (the figures below are the last received)";
  status.classList.add("bad");
};
