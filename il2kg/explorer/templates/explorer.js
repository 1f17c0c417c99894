/* il2kg explorer: the page logic. Every text from the data goes into the page through
   textContent or vis-network's canvas, never through innerHTML; links are http(s) only. */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("il2kg-data").textContent);
  var HTTP = /^https?:\/\/[^\s<>"'`]+$/i;
  var DIM_NODE = { background: "#e4e4e4", border: "#d0d0d0" };
  var DIM_EDGE = "rgba(200,200,200,0.35)";
  var FONT = "#222222";
  var FONT_DIM = "#c0c0c0";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function link(href, text) {
    if (typeof href === "string" && HTTP.test(href)) {
      var a = el("a", null, text);
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      return a;
    }
    return el("span", null, text);
  }

  // -- the network --------------------------------------------------------------------------
  var nodes = new vis.DataSet(DATA.nodes);
  var edges = new vis.DataSet(DATA.edges);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, DATA.options);
  var statusBox = document.getElementById("status");
  var baseNode = {};
  var baseEdge = {};
  var kindOf = {};
  DATA.nodes.forEach(function (n) {
    baseNode[n.id] = n.color;
    kindOf[n.id] = n.kind;
  });
  DATA.edges.forEach(function (e) {
    baseEdge[e.id] = e.color;
  });
  window.il2kgExplorer = { network: network, nodes: nodes, edges: edges, data: DATA };

  function ready() {
    network.setOptions({ physics: { enabled: false } });
    statusBox.hidden = true;
    document.body.setAttribute("data-ready", "true");
    if (DATA.meta.focus && baseNode[DATA.meta.focus]) {
      network.selectNodes([DATA.meta.focus]);
      showEntity(DATA.meta.focus);
      // the panel covers the right of the canvas: fit the graph into what is left
      var width = container.clientWidth;
      var cover = Math.min(panel.offsetWidth, width / 2);
      var scale = (network.getScale() * (width - cover)) / width;
      var at = network.getViewPosition();
      network.moveTo({ position: { x: at.x + cover / 2 / scale, y: at.y }, scale: scale });
    }
  }
  if (DATA.nodes.length === 0) {
    statusBox.textContent = "Nothing to show: no entity matches.";
    document.body.setAttribute("data-ready", "true");
  } else {
    network.on("stabilizationProgress", function (p) {
      statusBox.textContent = "Laying out… " + Math.round((100 * p.iterations) / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", ready);
  }

  // -- neighbourhood highlighting -----------------------------------------------------------
  var dimmed = false;

  function highlight(nodeIds, edgeIds) {
    var keepN = {};
    var keepE = {};
    nodeIds.forEach(function (id) {
      keepN[id] = true;
      network.getConnectedNodes(id).forEach(function (n) {
        keepN[n] = true;
      });
      network.getConnectedEdges(id).forEach(function (e) {
        keepE[e] = true;
      });
    });
    (edgeIds || []).forEach(function (e) {
      keepE[e] = true;
    });
    nodes.update(
      nodes.getIds().map(function (id) {
        var on = keepN[id] === true;
        return { id: id, color: on ? baseNode[id] : DIM_NODE, font: { color: on ? FONT : FONT_DIM } };
      })
    );
    edges.update(
      edges.getIds().map(function (id) {
        return { id: id, color: keepE[id] ? baseEdge[id] : { color: DIM_EDGE, highlight: DIM_EDGE, hover: DIM_EDGE } };
      })
    );
    dimmed = true;
  }

  function clearHighlight() {
    if (!dimmed) return;
    nodes.update(
      nodes.getIds().map(function (id) {
        return { id: id, color: baseNode[id], font: { color: FONT } };
      })
    );
    edges.update(
      edges.getIds().map(function (id) {
        return { id: id, color: baseEdge[id] };
      })
    );
    dimmed = false;
  }

  // -- the side panel -----------------------------------------------------------------------
  var panel = document.getElementById("panel");
  var panelBody = document.getElementById("panel-body");

  function openPanel() {
    panelBody.replaceChildren();
    panel.hidden = false;
    panel.scrollTop = 0;
    return panelBody;
  }

  function closePanel() {
    panel.hidden = true;
    panelBody.replaceChildren();
  }
  document.getElementById("panel-close").addEventListener("click", function () {
    closePanel();
    clearHighlight();
    network.unselectAll();
  });

  function entityName(id) {
    var e = DATA.entities[id];
    return e ? e.label : id;
  }

  function entityButton(id) {
    var b = el("button", "entity-link", entityName(id));
    b.type = "button";
    b.title = id;
    b.addEventListener("click", function () {
      selectEntity(id);
    });
    return b;
  }

  function section(parent, heading) {
    parent.appendChild(el("h3", null, heading));
  }

  function swatch(kind) {
    var k = null;
    DATA.kinds.forEach(function (x) {
      if (x.id === kind) k = x;
    });
    var s = el("span", "swatch shape-" + (k ? k.shape : "dot"));
    if (k) s.style.backgroundColor = k.color;
    return s;
  }

  function evidenceList(rel) {
    var ol = el("ol", "evidence");
    rel.evidence.forEach(function (ev) {
      var li = el("li");
      // "Johnston 1995 Proc Natl Acad Sci U S A, PMID:7568001, human", the work linked by its id
      li.appendChild(el("span", "citation", ev.name + " "));
      li.appendChild(link(ev.href || ev.url, ev.source));
      if (ev.href && ev.url) {
        li.appendChild(el("span", null, " "));
        li.appendChild(link(ev.url, "read"));
      }
      if (ev.type) li.appendChild(el("span", "pubtype", " (" + ev.type + ")"));
      li.appendChild(el("span", "status status-" + ev.status.replace(/ /g, "-"), ev.status));
      if (ev.note) li.appendChild(el("div", "note", ev.note));
      if (ev.quote) li.appendChild(el("blockquote", null, ev.quote));
      ol.appendChild(li);
    });
    return ol;
  }

  function showEntity(id) {
    var e = DATA.entities[id];
    if (!e) return;
    var body = openPanel();
    body.appendChild(el("h2", null, e.label));
    var kind = el("p", "kind");
    kind.appendChild(swatch(e.type));
    kind.appendChild(el("span", null, e.typeLabel));
    body.appendChild(kind);
    if (e.description) body.appendChild(el("p", "description", e.description));
    section(body, "Identifiers");
    var ids = el("ul", "ids");
    e.ids.forEach(function (x) {
      var li = el("li");
      li.appendChild(link(x.href, x.curie));
      ids.appendChild(li);
    });
    body.appendChild(ids);
    if (e.synonyms.length) {
      section(body, "Synonyms");
      body.appendChild(el("p", "synonyms", e.synonyms.join(" · ")));
    }
    if (e.facts.length) {
      var dl = el("dl");
      e.facts.forEach(function (f) {
        dl.appendChild(el("dt", null, f[0]));
        dl.appendChild(el("dd", null, f[1]));
      });
      body.appendChild(dl);
    }
    var rels = DATA.nodeRelations[id] || [];
    section(body, "Relations (" + rels.length + ")");
    var ul = el("ul", "relations");
    rels.forEach(function (rid) {
      var r = DATA.relations[rid];
      var li = el("li", r.negated ? "negated" : null);
      var head = el("div", "rel-head");
      var out = r.subject === id;
      var pred = el("button", "pred-link", (out ? "" : "← ") + (r.negated ? "NOT " : "") + r.predicateLabel + (out ? " →" : ""));
      pred.type = "button";
      pred.title = "Show this relation";
      pred.addEventListener("click", function () {
        showRelation(rid);
      });
      head.appendChild(pred);
      head.appendChild(document.createTextNode(" "));
      head.appendChild(entityButton(out ? r.object : r.subject));
      head.appendChild(el("span", "status status-" + r.status.replace(" ", "-"), r.status));
      li.appendChild(head);
      li.appendChild(evidenceList(r));
      ul.appendChild(li);
    });
    body.appendChild(ul);
  }

  function showRelation(rid) {
    var r = DATA.relations[rid];
    if (!r) return;
    if (baseEdge[rid]) {
      network.selectEdges([rid]);
      highlight([r.subject, r.object].filter(function (n) { return baseNode[n]; }), [rid]);
    }
    var body = openPanel();
    var h = el("h2", "relation-title");
    h.appendChild(entityButton(r.subject));
    h.appendChild(el("span", "pred", (r.negated ? " NOT " : " ") + r.predicateLabel + " "));
    h.appendChild(entityButton(r.object));
    body.appendChild(h);
    if (r.definition) body.appendChild(el("p", "description", r.definition));
    var st = el("p");
    st.appendChild(el("span", null, "Curation status: "));
    st.appendChild(el("span", "status status-" + r.status.replace(" ", "-"), r.status));
    if (r.negated) st.appendChild(el("span", "status negated", "negated: does not hold"));
    body.appendChild(st);
    if (r.qualifiers.length) {
      section(body, "Context");
      var dl = el("dl");
      r.qualifiers.forEach(function (q) {
        dl.appendChild(el("dt", null, q.name));
        var dd = el("dd");
        if (q.entity && baseNode[q.entity]) dd.appendChild(entityButton(q.entity));
        else dd.appendChild(link(q.href, q.text));
        dl.appendChild(dd);
      });
      body.appendChild(dl);
    }
    if (r.quantities.length) {
      section(body, "Measured");
      var qu = el("ul");
      r.quantities.forEach(function (q) {
        qu.appendChild(el("li", null, q));
      });
      body.appendChild(qu);
    }
    section(body, "Evidence (" + r.evidence.length + ")");
    body.appendChild(evidenceList(r));
    if (r.comment) {
      section(body, "Comment");
      body.appendChild(el("p", null, r.comment));
    }
    body.appendChild(el("p", "statement", "statement " + r.statement));
  }

  network.on("click", function (p) {
    if (p.nodes.length) {
      highlight([p.nodes[0]]);
      showEntity(p.nodes[0]);
    } else if (p.edges.length) {
      showRelation(p.edges[0]);
    } else {
      clearHighlight();
      closePanel();
    }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      closePanel();
      clearHighlight();
      network.unselectAll();
    }
  });

  // -- legend and filters -------------------------------------------------------------------
  var hiddenKinds = {};
  var hiddenPreds = {};

  function applyKinds() {
    nodes.update(
      nodes.getIds().map(function (id) {
        return { id: id, hidden: hiddenKinds[kindOf[id]] === true };
      })
    );
  }

  function applyPredicates() {
    edges.update(
      DATA.edges.map(function (e) {
        return { id: e.id, hidden: hiddenPreds[e.predicate] === true };
      })
    );
  }

  var kindBoxes = {};
  var kindsBox = document.getElementById("kinds");
  DATA.kinds.forEach(function (k) {
    var label = el("label", "toggle");
    label.title = k.definition || k.label;
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-kind", k.id);
    box.addEventListener("change", function () {
      hiddenKinds[k.id] = !box.checked;
      applyKinds();
    });
    kindBoxes[k.id] = box;
    label.appendChild(box);
    var s = el("span", "swatch shape-" + k.shape);
    s.style.backgroundColor = k.color;
    label.appendChild(s);
    label.appendChild(el("span", "name", k.label));
    label.appendChild(el("span", "count", k.count));
    kindsBox.appendChild(label);
  });

  var predsBox = document.getElementById("predicates");
  DATA.predicates.forEach(function (p) {
    var label = el("label", "toggle");
    label.title = p.definition || p.label;
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-predicate", p.id);
    box.addEventListener("change", function () {
      hiddenPreds[p.id] = !box.checked;
      applyPredicates();
    });
    label.appendChild(box);
    var s = el("span", "swatch line");
    s.style.backgroundColor = p.color;
    label.appendChild(s);
    label.appendChild(el("span", "name", p.label));
    label.appendChild(el("span", "count", p.count));
    predsBox.appendChild(label);
  });

  // -- search ---------------------------------------------------------------------------------
  var index = Object.keys(baseNode).map(function (id) {
    var e = DATA.entities[id];
    var names = [e.label].concat(e.synonyms);
    var terms = names.concat(e.ids.map(function (x) { return x.curie; }));
    return { id: id, label: e.label, names: names, terms: terms.map(function (t) { return t.toLowerCase(); }), orig: terms };
  });
  var input = document.getElementById("search");
  var results = document.getElementById("search-results");

  function search(q) {
    q = q.trim().toLowerCase();
    if (!q) return [];
    var scored = [];
    index.forEach(function (item) {
      var best = 99;
      var via = null;
      item.terms.forEach(function (t, i) {
        var s = t === q ? 0 : t.indexOf(q) === 0 ? 1 : t.indexOf(q) > 0 ? 2 : 99;
        if (s < best) {
          best = s;
          via = item.orig[i];
        }
      });
      if (best < 99) scored.push({ item: item, score: best, via: via });
    });
    scored.sort(function (a, b) {
      return a.score - b.score || a.item.label.localeCompare(b.item.label);
    });
    return scored.slice(0, 12);
  }

  function selectEntity(id) {
    if (!baseNode[id]) {
      showEntity(id);
      return;
    }
    var kind = kindOf[id];
    if (hiddenKinds[kind]) {
      hiddenKinds[kind] = false;
      kindBoxes[kind].checked = true;
      applyKinds();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: { duration: 400 } });
    highlight([id]);
    showEntity(id);
    results.hidden = true;
  }
  window.il2kgExplorer.select = selectEntity;

  function renderResults(found) {
    results.replaceChildren();
    found.forEach(function (f) {
      var li = el("li");
      var b = el("button", "result");
      b.type = "button";
      b.setAttribute("data-id", f.item.id);
      b.appendChild(el("span", "result-label", f.item.label));
      var extra = f.item.id;
      if (f.via && f.via !== f.item.label && f.via !== f.item.id) extra = f.via + " · " + extra;
      b.appendChild(el("span", "result-id", extra));
      b.addEventListener("click", function () {
        selectEntity(f.item.id);
      });
      li.appendChild(b);
      results.appendChild(li);
    });
    if (!found.length && input.value.trim()) results.appendChild(el("li", "none", "No match"));
    results.hidden = !input.value.trim();
  }
  input.addEventListener("input", function () {
    renderResults(search(input.value));
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var found = search(input.value);
      if (found.length) selectEntity(found[0].item.id);
      ev.preventDefault();
    } else if (ev.key === "Escape") {
      results.hidden = true;
    }
  });
  document.addEventListener("click", function (ev) {
    if (!document.getElementById("search-box").contains(ev.target)) results.hidden = true;
  });
})();
