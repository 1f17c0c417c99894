"use strict";
// The query page of il2kg serve: runs the editor's query against this server (never elsewhere),
// renders SPARQL JSON (or N-Triples for graph answers) as a table, with labels and links.
// Every datum is set with textContent; nothing is parsed as HTML.
(function () {
  const DATA = JSON.parse(document.getElementById("il2kg-data").textContent);
  const $ = (id) => document.getElementById(id);
  const editor = $("query");
  const SELECT_FORMATS = ["json", "xml", "csv", "tsv"];
  const GRAPH_FORMATS = ["turtle", "ntriples", "jsonld", "rdfxml"];
  const ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9";
  const SAFE_IRI = /^[^<>"{}|^`\\\s]+$/;
  const namespaces = Object.entries(DATA.prefixes).sort((a, b) => b[1].length - a[1].length);

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function curie(iri) {
    for (const [prefix, ns] of namespaces) {
      if (iri.startsWith(ns) && iri.length > ns.length) return prefix + ":" + iri.slice(ns.length);
    }
    return iri;
  }

  // the server's page for an IRI: its own path under the graph's base, else the lookup route
  function pageOf(iri) {
    if (iri.startsWith(DATA.base)) return iri.slice(DATA.base.length);
    return "lookup?iri=" + encodeURIComponent(iri);
  }

  function queryUrl(text, format) {
    const params = new URLSearchParams({ query: text });
    if (format) params.set("format", format);
    return "query?" + params.toString();
  }

  function setStatus(text) { $("status").textContent = text; }

  function showError(message) {
    const box = $("error");
    const m = /line (\d+), column (\d+)/.exec(message);
    $("error-title").textContent = m ? `Error at line ${m[1]}, column ${m[2]}` : "Error";
    $("error-text").textContent = message;
    box.hidden = false;
    $("results-section").hidden = true;
    document.body.dataset.state = "error";
    if (m) {
      const lines = editor.value.split("\n");
      const line = Math.min(Number(m[1]), lines.length);
      let offset = 0;
      for (let i = 0; i < line - 1; i++) offset += lines[i].length + 1;
      offset += Math.max(0, Number(m[2]) - 1);
      editor.focus();
      editor.setSelectionRange(offset, Math.min(offset + 1, editor.value.length));
    }
  }

  function parseNTriples(text) {
    const term = String.raw`(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?)`;
    const line = new RegExp(`^${term}\\s+${term}\\s+${term}\\s*\\.\\s*$`);
    const toTerm = (t) => {
      if (t.startsWith("<")) return { type: "uri", value: t.slice(1, -1) };
      if (t.startsWith("_:")) return { type: "bnode", value: t.slice(2) };
      const end = t.lastIndexOf('"');
      let value = t.slice(1, end);
      try { value = JSON.parse(t.slice(0, end + 1)); } catch (e) { /* kept as written */ }
      const rest = t.slice(end + 1);
      const out = { type: "literal", value };
      if (rest.startsWith("@")) out["xml:lang"] = rest.slice(1);
      if (rest.startsWith("^^")) out.datatype = rest.slice(3, -1);
      return out;
    };
    const rows = [];
    for (const raw of text.split("\n")) {
      const m = line.exec(raw.trim());
      if (m) rows.push({ subject: toTerm(m[1]), predicate: toTerm(m[2]), object: toTerm(m[3]) });
    }
    return { vars: ["subject", "predicate", "object"], rows };
  }

  function cell(t) {
    const td = el("td");
    if (!t) return td;
    if (t.type === "uri") {
      const a = el("a", curie(t.value));
      a.href = pageOf(t.value);
      a.title = t.value;
      a.dataset.iri = t.value;
      td.append(a, el("span", "", "label"));
    } else if (t.type === "bnode") {
      td.textContent = "_:" + t.value;
    } else {
      td.textContent = t.value;
      if (t["xml:lang"]) td.append(el("span", "@" + t["xml:lang"], "lit-type"));
      else if (t.datatype) td.append(el("span", curie(t.datatype), "lit-type"));
    }
    return td;
  }

  function renderTable(vars, rows) {
    const table = $("results");
    const head = el("tr");
    for (const v of vars) {
      const th = el("th", v);
      th.scope = "col";
      head.append(th);
    }
    table.tHead.replaceChildren(head);
    const body = table.tBodies[0];
    body.replaceChildren(...rows.map((row) => {
      const tr = el("tr");
      for (const v of vars) tr.append(cell(row[v]));
      return tr;
    }));
  }

  function renderDownloads(text, formats) {
    const box = $("downloads");
    box.replaceChildren(el("span", "Download: "));
    for (const f of formats) {
      const a = el("a", f);
      a.href = queryUrl(text, f);
      a.setAttribute("download", "il2kg-results." + f);
      box.append(a);
    }
  }

  async function addLabels() {
    const links = [...document.querySelectorAll("#results a[data-iri]")];
    const iris = [...new Set(links.map((a) => a.dataset.iri))].filter((i) => SAFE_IRI.test(i));
    if (!iris.length) return;
    const values = iris.slice(0, 400).map((i) => `<${i}>`).join(" ");
    const q = `SELECT ?s ?l WHERE { VALUES ?s { ${values} } ` +
      `{ ?s rdfs:label ?l } UNION { GRAPH <${DATA.ontology}> { ?s rdfs:label ?l } } }`;
    const r = await post(q, "application/sparql-results+json");
    if (!r.ok) return;
    const labels = {};
    for (const b of (await r.json()).results.bindings) labels[b.s.value] = b.l.value;
    for (const a of links) {
      const label = labels[a.dataset.iri];
      if (label) a.nextElementSibling.textContent = label;
    }
  }

  function post(text, accept) {
    return fetch(DATA.endpoint, {
      method: "POST",
      headers: { "Accept": accept, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query: text }),
    });
  }

  async function run(text) {
    $("error").hidden = true;
    document.body.dataset.state = "running";
    setStatus("Running…");
    const permalink = queryUrl(text);
    $("permalink").href = permalink;
    history.replaceState(null, "", location.pathname + "?" + new URLSearchParams({ query: text }));
    const started = performance.now();
    let r;
    try {
      r = await post(text, ACCEPT);
    } catch (e) {
      setStatus("");
      showError("the server did not answer: " + e);
      return;
    }
    const body = await r.text();
    if (!r.ok) {
      setStatus(`HTTP ${r.status}`);
      showError(body);
      return;
    }
    const ctype = r.headers.get("Content-Type") || "";
    let vars, rows, formats;
    if (ctype.startsWith("application/sparql-results+json")) {
      const data = JSON.parse(body);
      formats = SELECT_FORMATS;
      if ("boolean" in data) {
        vars = ["answer"];
        rows = [{ answer: { type: "literal", value: String(data.boolean) } }];
      } else {
        vars = data.head.vars;
        rows = data.results.bindings;
      }
    } else {
      ({ vars, rows } = parseNTriples(body));
      formats = GRAPH_FORMATS;
    }
    renderTable(vars, rows);
    renderDownloads(text, formats);
    $("results-section").hidden = false;
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    setStatus(`${rows.length} ${rows.length === 1 ? "row" : "rows"} in ${seconds} s`);
    document.body.dataset.state = "done";
    try { await addLabels(); } catch (e) { /* labels are a courtesy */ }
    document.body.dataset.labels = "done";
  }

  function renderExamples() {
    const list = $("examples");
    for (const ex of DATA.examples) {
      const li = el("li");
      li.id = "example-" + ex.name;
      const button = el("button", ex.question);
      button.type = "button";
      button.addEventListener("click", () => {
        editor.value = ex.text;
        $("h-query").scrollIntoView();
        run(ex.text);
      });
      li.append(button, el("code", " " + ex.name, "about"));
      if (ex.notes) li.append(el("div", ex.notes, "about"));
      if (ex.params.length) {
        const ul = el("ul", null, "params");
        for (const p of ex.params) {
          const dflt = p.default ? `, default ${p.default}` : "";
          ul.append(el("li", `${p.name} (${p.type}${dflt}): ${p.help}`));
        }
        li.append(ul);
      }
      list.append(li);
    }
  }

  function renderPrefixes() {
    const body = $("prefixes").tBodies[0];
    for (const [prefix, ns] of Object.entries(DATA.prefixes)) {
      const tr = el("tr");
      tr.append(el("td", prefix + ":"), el("td", ns));
      body.append(tr);
    }
  }

  $("query-form").addEventListener("submit", (e) => { e.preventDefault(); run(editor.value); });
  $("insert-prefixes").addEventListener("click", () => {
    const lines = Object.entries(DATA.prefixes).map(([p, ns]) => `PREFIX ${p}: <${ns}>`);
    editor.value = lines.join("\n") + "\n" + editor.value;
  });
  renderExamples();
  renderPrefixes();
  $("permalink").href = queryUrl(editor.value);
  document.body.dataset.ready = "true";
  if (DATA.autorun) run(editor.value);
})();
