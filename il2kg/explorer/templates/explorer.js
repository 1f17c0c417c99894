/* il2kg explorer: the page logic. Every text from the data goes into the page through
   textContent or vis-network's canvas, never through innerHTML; links are http(s) only.
   The nodes arrive placed (the layout is computed when the page is built); physics stays off. */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("il2kg-data").textContent);
  var HTTP = /^https?:\/\/[^\s<>"'`]+$/i;
  var DIM_EDGE = "rgba(200,200,200,0.35)";
  var FONT = "#222222";
  var FONT_DIM = "#c0c0c0";
  var PICK_PX = 8; // an edge is picked when the pointer is this close to it (screen pixels)

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

  function button(cls, text, onClick) {
    var b = el("button", cls, text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  // -- the network --------------------------------------------------------------------------
  var KIND = {};
  DATA.kinds.forEach(function (k) {
    KIND[k.id] = k;
  });
  var baseNode = {};
  var kindOf = {};
  var fontSize = {};
  var CLEAR = "rgba(0,0,0,0)";
  DATA.nodes.forEach(function (n) {
    var k = KIND[n.kind];
    n.image = k ? (n.emph ? k.glyphEmphasised : k.glyph) : undefined;
    // the glyph is the node: no box behind it, a dark frame when selected
    n.color = { background: CLEAR, border: CLEAR, highlight: { background: CLEAR, border: "#000000" },
                hover: { background: CLEAR, border: "#777777" } };
    baseNode[n.id] = true;
    kindOf[n.id] = n.kind;
    fontSize[n.id] = n.font && n.font.size ? n.font.size : 16;
  });
  var baseEdge = {};
  DATA.edges.forEach(function (e) {
    baseEdge[e.id] = e.color;
  });
  var nodes = new vis.DataSet(DATA.nodes);
  var edges = new vis.DataSet(DATA.edges);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, DATA.options);
  var statusBox = document.getElementById("status");
  var api = { network: network, nodes: nodes, edges: edges, data: DATA };
  window.il2kgExplorer = api;

  // exported pictures get a white background, not a transparent one
  network.on("beforeDrawing", function (ctx) {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
  });

  /* a large graph draws no labels while the view is dragged or zoomed (vis-network hides its
     edges itself: interaction.hideEdgesOnDrag/OnZoom), and draws them again when it stops. The
     threshold is changed on the nodes' shared options, which every node inherits: setOptions
     would visit every node (~0.2 s at 5,000 nodes). */
  var labelScaling = network.nodesHandler && network.nodesHandler.options.scaling &&
    network.nodesHandler.options.scaling.label;
  var labelThreshold = labelScaling ? labelScaling.drawThreshold : null;
  var stillTimer = null;
  function moving(on) {
    if (!labelScaling) return;
    var wanted = on ? Infinity : labelThreshold;
    if (labelScaling.drawThreshold === wanted) return;
    labelScaling.drawThreshold = wanted;
    if (!on) network.body.emitter.emit("_requestRedraw"); // the next frame, with vis-network's own
  }
  if (DATA.drawing && DATA.drawing.hideLabelsWhileMoving && labelScaling) {
    network.on("dragStart", function () {
      clearTimeout(stillTimer);
      moving(true);
    });
    network.on("dragEnd", function () {
      moving(false);
    });
    network.on("zoom", function () {
      // vis-network tells no end of a zoom: it is over when no wheel turned for 250 ms, as
      // vis-network itself decides when to draw the edges again
      moving(true);
      clearTimeout(stillTimer);
      stillTimer = setTimeout(function () {
        moving(false);
      }, 250);
    });
  }

  /* a large graph draws its arrow heads only when zoomed in enough for them to show */
  var arrowsFrom = DATA.drawing ? DATA.drawing.arrowsFromScale : 0;
  var renderer = network.renderer;
  if (arrowsFrom > 0 && renderer && typeof renderer._drawArrows === "function") {
    var drawArrows = renderer._drawArrows;
    renderer._drawArrows = function (ctx) {
      if (network.getScale() >= arrowsFrom) drawArrows.call(renderer, ctx);
    };
  }

  var isReady = false;
  function ready() {
    if (isReady) return;
    isReady = true;
    network.setOptions({ physics: { enabled: false } });
    statusBox.hidden = true;
    var listed = DATA.meta.paths;
    if (restore(location.hash)) {
      // the shared view wins over the page's own opening
    } else if (listed) {
      showPaths(listed[0], listed[1], listed[2], listed[3]);
      fitBesidePanel();
    } else if (DATA.meta.focus && baseNode[DATA.meta.focus]) {
      network.selectNodes([DATA.meta.focus]);
      showEntity(DATA.meta.focus);
      fitBesidePanel();
    }
    document.body.setAttribute("data-ready", "true");
  }
  if (DATA.nodes.length === 0) {
    statusBox.textContent = "Nothing to show: no entity matches.";
    document.body.setAttribute("data-ready", "true");
  } else if (DATA.options.physics && DATA.options.physics.enabled) {
    // a page whose nodes come without positions lays them out here (the bench's baseline)
    network.on("stabilizationProgress", function (p) {
      statusBox.textContent = "Laying out… " + Math.round((100 * p.iterations) / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", ready);
  } else {
    network.fit({ animation: false });
    network.once("afterDrawing", ready);
  }

  function fitBesidePanel() {
    // the panel covers the right of the canvas: fit the graph into what is left
    network.fit({ animation: false });
    if (panel.hidden) return;
    var width = container.clientWidth;
    var cover = Math.min(panel.offsetWidth, width / 2);
    var scale = (network.getScale() * (width - cover)) / width;
    var at = network.getViewPosition();
    network.moveTo({ position: { x: at.x + cover / 2 / scale, y: at.y }, scale: scale });
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
        return { id: id, opacity: on ? 1 : 0.2, font: { size: fontSize[id], color: on ? FONT : FONT_DIM } };
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
        return { id: id, opacity: 1, font: { size: fontSize[id], color: FONT } };
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
  var selected = { entity: null, relation: null };

  function openPanel() {
    shownPaths = null;
    shownQuery = null;
    panelBody.replaceChildren();
    panel.hidden = false;
    panel.scrollTop = 0;
    return panelBody;
  }

  function closePanel() {
    panel.hidden = true;
    panelBody.replaceChildren();
    selected.entity = selected.relation = null;
  }

  function deselect() {
    closePanel();
    clearHighlight();
    network.unselectAll();
    saveState();
  }
  document.getElementById("panel-close").addEventListener("click", deselect);

  function entityName(id) {
    var e = DATA.entities[id];
    return e ? e.label : id;
  }

  function entityButton(id) {
    var b = button("entity-link", entityName(id), function () {
      selectEntity(id);
    });
    b.title = id;
    return b;
  }

  function section(parent, heading) {
    parent.appendChild(el("h3", null, heading));
  }

  function glyph(kind) {
    var img = el("img", "glyph");
    var k = KIND[kind];
    img.alt = "";
    img.width = img.height = 16;
    if (k) img.src = k.glyph;
    return img;
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

  function heading(body, text, cls) {
    var h = el("h2", cls, text);
    h.tabIndex = -1;
    h.id = "panel-heading";
    body.appendChild(h);
    return h;
  }

  function showEntity(id) {
    var e = DATA.entities[id];
    if (!e) return;
    selected.entity = id;
    selected.relation = null;
    var body = openPanel();
    heading(body, e.label);
    var kind = el("p", "kind");
    kind.appendChild(glyph(e.type));
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
    var events = eventsOf[id] || [];
    if (events.length && !timelineItem[id]) {
      section(body, "On the timeline (" + events.length + ")");
      var tl = el("ul", "timeline-links");
      events.forEach(function (ev) {
        var li = el("li");
        var b = button("entity-link timeline-link", ev.date + " " + entityName(ev.id), function () {
          openTimeline(true);
          selectEntity(ev.id);
        });
        b.setAttribute("data-event", ev.id);
        li.appendChild(b);
        tl.appendChild(li);
      });
      body.appendChild(tl);
    }
    var rels = DATA.nodeRelations[id] || [];
    section(body, "Relations (" + rels.length + ")");
    var ul = el("ul", "relations");
    rels.forEach(function (rid) {
      var r = DATA.relations[rid];
      var li = el("li", r.negated ? "negated" : null);
      var head = el("div", "rel-head");
      var out = r.subject === id;
      var pred = button("pred-link", (out ? "" : "← ") + (r.negated ? "NOT " : "") + r.predicateLabel + (out ? " →" : ""), function () {
        showRelation(rid);
      });
      pred.title = "Show this relation";
      head.appendChild(pred);
      head.appendChild(document.createTextNode(" "));
      head.appendChild(entityButton(out ? r.object : r.subject));
      head.appendChild(el("span", "status status-" + r.status.replace(" ", "-"), r.status));
      li.appendChild(head);
      li.appendChild(evidenceList(r));
      ul.appendChild(li);
    });
    body.appendChild(ul);
    markTimeline(id);
    saveState();
  }

  function showRelation(rid) {
    var r = DATA.relations[rid];
    if (!r) return;
    if (baseEdge[rid]) {
      network.setSelection({ nodes: [], edges: [rid] }, { unselectAll: true, highlightEdges: false });
      highlight([r.subject, r.object].filter(function (n) { return baseNode[n]; }), [rid]);
    }
    var body = openPanel();
    selected.entity = null;
    selected.relation = rid;
    var h = heading(body, null, "relation-title");
    h.appendChild(entityButton(r.subject));
    h.appendChild(el("span", "pred", (r.negated ? " NOT " : " ") + r.predicateLabel + " "));
    h.appendChild(entityButton(r.object));
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
    saveState();
  }

  // -- picking: the node under the pointer, else the edge nearest to it -----------------------
  function pick(canvasPoint, visNode) {
    var scale = network.getScale();
    var body = network.body;
    var bestNode = null;
    var bestGap = Infinity;
    body.nodeIndices.forEach(function (id) {
      var n = body.nodes[id];
      var gap = Math.hypot(n.x - canvasPoint.x, n.y - canvasPoint.y) - n.options.size;
      if (gap < bestGap) {
        bestGap = gap;
        bestNode = id;
      }
    });
    if (bestNode !== null && bestGap * scale <= 2) return { node: bestNode };
    var bestEdge = null;
    var bestDist = PICK_PX / scale;
    body.edgeIndices.forEach(function (id) {
      var e = body.edges[id];
      if (!e.connected || !e.from || !e.to) return;
      var d = e.edgeType.getDistanceToEdge(e.from.x, e.from.y, e.to.x, e.to.y, canvasPoint.x, canvasPoint.y);
      if (d < bestDist) {
        bestDist = d;
        bestEdge = id;
      }
    });
    if (bestEdge !== null) return { edge: bestEdge };
    if (visNode !== undefined) return { node: visNode }; // on a node's label
    return {};
  }
  api.pick = function (x, y) {
    // a screen point of the canvas (DOM pixels from its top left) -> what a click there picks
    return pick(network.DOMtoCanvas({ x: x, y: y }));
  };

  network.on("click", function (p) {
    // a click emitted by a script (no pointer) picks what it names
    var hit = p.pointer ? pick(p.pointer.canvas, p.nodes[0]) : { node: p.nodes[0], edge: p.edges[0] };
    if (hit.node !== undefined) {
      network.setSelection({ nodes: [hit.node], edges: [] }, { unselectAll: true, highlightEdges: true });
      highlight([hit.node]);
      showEntity(hit.node);
    } else if (hit.edge !== undefined) {
      showRelation(hit.edge);
    } else {
      deselect();
    }
  });
  network.on("dragEnd", function () {
    saveState();
  });
  network.on("zoom", function () {
    saveStateSoon();
  });

  // -- legend and filters, grouped by family --------------------------------------------------
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
  var predBoxes = {};
  var kindsBox = document.getElementById("kinds");
  var family = null;
  DATA.kinds.forEach(function (k) {
    if (k.family !== family) {
      family = k.family;
      kindsBox.appendChild(el("h3", "family", family));
    }
    var label = el("label", "toggle");
    label.title = k.definition || k.label;
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-kind", k.id);
    box.addEventListener("change", function () {
      hiddenKinds[k.id] = !box.checked;
      applyKinds();
      saveState();
    });
    kindBoxes[k.id] = box;
    label.appendChild(box);
    label.appendChild(glyph(k.id));
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
      saveState();
    });
    predBoxes[p.id] = box;
    label.appendChild(box);
    var s = el("span", "swatch line");
    s.style.backgroundColor = p.color;
    label.appendChild(s);
    label.appendChild(el("span", "name", p.label));
    label.appendChild(el("span", "count", p.count));
    predsBox.appendChild(label);
  });

  function setFilters(kinds, preds) {
    hiddenKinds = {};
    hiddenPreds = {};
    Object.keys(kindBoxes).forEach(function (k) {
      kindBoxes[k].checked = kinds.indexOf(k) < 0;
      if (!kindBoxes[k].checked) hiddenKinds[k] = true;
    });
    Object.keys(predBoxes).forEach(function (p) {
      predBoxes[p].checked = preds.indexOf(p) < 0;
      if (!predBoxes[p].checked) hiddenPreds[p] = true;
    });
    applyKinds();
    applyPredicates();
  }

  // -- search (ranked as `il2kg search`, see search.js) ----------------------------------------
  var finder = il2kgSearch.index(DATA);
  api.search = finder.search;
  api.normalise = finder.normalise;
  api.fold = finder.fold;
  var input = document.getElementById("search");
  var results = document.getElementById("search-results");
  var active = -1;

  function selectEntity(id, keepView) {
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
    network.setSelection({ nodes: [id], edges: [] }, { unselectAll: true, highlightEdges: true });
    if (!keepView) network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    highlight([id]);
    showEntity(id);
    results.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }
  api.select = selectEntity;
  api.showRelation = showRelation;

  function setActive(i) {
    var items = results.querySelectorAll("button.result");
    if (!items.length) return;
    active = (i + items.length) % items.length;
    items.forEach(function (b, j) {
      b.setAttribute("aria-selected", j === active ? "true" : "false");
      b.classList.toggle("active", j === active);
    });
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function renderResults(found) {
    results.replaceChildren();
    active = -1;
    input.removeAttribute("aria-activedescendant");
    found.forEach(function (f, i) {
      var li = el("li");
      li.setAttribute("role", "presentation");
      var b = button("result", null, function () {
        selectEntity(f.id);
      });
      b.id = "result-" + i;
      b.setAttribute("role", "option");
      b.setAttribute("data-id", f.id);
      b.tabIndex = -1;
      b.appendChild(el("span", "result-label", f.label));
      var extra = f.id;
      if (f.matched && f.matched !== f.label && f.matched !== f.id) extra = f.matched + " · " + extra;
      b.appendChild(el("span", "result-id", extra));
      li.appendChild(b);
      results.appendChild(li);
    });
    if (!found.length && input.value.trim()) results.appendChild(el("li", "none", "No match"));
    results.hidden = !input.value.trim();
    input.setAttribute("aria-expanded", results.hidden ? "false" : "true");
  }
  input.addEventListener("input", function () {
    renderResults(finder.search(input.value, 12));
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (results.hidden) renderResults(finder.search(input.value, 12));
      setActive(active + (ev.key === "ArrowDown" ? 1 : active < 0 ? 0 : -1));
      ev.preventDefault();
    } else if (ev.key === "Enter") {
      var items = results.querySelectorAll("button.result");
      if (active >= 0 && items[active]) {
        selectEntity(items[active].getAttribute("data-id"));
      } else {
        var found = finder.search(input.value, 1);
        if (found.length) selectEntity(found[0].id);
      }
      ev.preventDefault();
    } else if (ev.key === "Escape") {
      results.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }
  });
  document.addEventListener("click", function (ev) {
    if (!document.getElementById("search-box").contains(ev.target)) results.hidden = true;
  });

  // -- keyboard: Escape closes, arrows walk the panel's relations, "/" goes to the search -----
  document.addEventListener("keydown", function (ev) {
    var inInput = ev.target === input;
    if (ev.key === "Escape" && !inInput) {
      deselect();
      input.focus();
    } else if (ev.key === "/" && !inInput) {
      input.focus();
      ev.preventDefault();
    } else if ((ev.key === "ArrowDown" || ev.key === "ArrowUp") && panel.contains(ev.target)) {
      var stops = Array.prototype.slice.call(panel.querySelectorAll("#panel-heading, button.pred-link"));
      var i = stops.indexOf(ev.target);
      if (i < 0) i = stops.indexOf(ev.target.closest("li") && ev.target.closest("li").querySelector("button.pred-link"));
      var next = stops[Math.max(0, Math.min(stops.length - 1, i + (ev.key === "ArrowDown" ? 1 : -1)))];
      if (next) {
        next.focus();
        ev.preventDefault();
      }
    }
  });
  panel.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && ev.target.classList && ev.target.classList.contains("entity-link")) {
      // after a keyboard jump to another entity, keep the keyboard in the panel
      setTimeout(function () {
        var h = document.getElementById("panel-heading");
        if (h) h.focus();
      }, 0);
    }
  });

  // -- shown entities and relations; fit, reset, export ---------------------------------------
  function shown() {
    var ns = network.body.nodeIndices.slice().sort();
    var on = {};
    ns.forEach(function (id) {
      on[id] = true;
    });
    var es = DATA.edges
      .filter(function (e) {
        return !hiddenPreds[e.predicate] && on[e.from] && on[e.to];
      })
      .map(function (e) {
        return e.id;
      });
    return {
      entities: ns.map(function (id) {
        var e = DATA.entities[id];
        return { id: id, label: e.label, type: e.type, kind: e.typeLabel };
      }),
      relations: es.map(function (id) {
        var r = DATA.relations[id];
        return {
          statement: id, subject: r.subject, predicate: r.predicate, object: r.object,
          status: r.status, evidence: r.evidence.map(function (ev) { return ev.source; })
        };
      })
    };
  }
  api.shown = shown;

  function csvCell(v) {
    var s = Array.isArray(v) ? v.join(" ") : String(v === null || v === undefined ? "" : v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function csv(rows, cols) {
    return [cols.join(",")]
      .concat(rows.map(function (r) {
        return cols.map(function (c) { return csvCell(r[c]); }).join(",");
      }))
      .join("\r\n") + "\r\n";
  }
  api.csv = function () {
    var s = shown();
    return {
      entities: csv(s.entities, ["id", "label", "type", "kind"]),
      relations: csv(s.relations, ["statement", "subject", "predicate", "object", "status", "evidence"])
    };
  };

  function download(name, blob) {
    var a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () {
      URL.revokeObjectURL(a.href);
    }, 1000);
  }
  var stem = (DATA.meta.title || "il2kg").replace(/^il2kg explorer:?\s*/, "").replace(/[^A-Za-z0-9._-]+/g, "-") || "graph";
  stem = "il2kg-" + stem.replace(/^-+|-+$/g, "");

  function fit() {
    network.fit({ animation: false });
    saveState();
  }
  api.fit = fit;

  function reset() {
    input.value = "";
    renderResults([]);
    setFilters([], []);
    openTimeline(false);
    closePanel();
    clearHighlight();
    network.unselectAll();
    network.fit({ animation: false });
    setAddress(location.pathname + location.search);
  }
  api.reset = reset;

  document.getElementById("fit").addEventListener("click", fit);
  document.getElementById("reset").addEventListener("click", reset);
  document.getElementById("export-png").addEventListener("click", function () {
    container.querySelector("canvas").toBlob(function (blob) {
      download(stem + ".png", blob);
    }, "image/png");
  });
  document.getElementById("export-csv").addEventListener("click", function () {
    var c = api.csv();
    download(stem + "-entities.csv", new Blob([c.entities], { type: "text/csv" }));
    download(stem + "-relations.csv", new Blob([c.relations], { type: "text/csv" }));
  });
  document.getElementById("export-json").addEventListener("click", function () {
    var s = shown();
    s.meta = { title: DATA.meta.title, source: DATA.meta.caption, version: DATA.meta.version };
    download(stem + ".json", new Blob([JSON.stringify(s, null, 2)], { type: "application/json" }));
  });

  // -- paths between two entities (ranked as `il2kg path`, see paths.js) ------------------------
  var pathFinder = il2kgPaths.finder(DATA, finder.casefold);
  var shownPaths = null; // {from, to, k} of the paths in the panel
  api.paths = function (from, to, k, maxLength) {
    return pathFinder.paths(from, to, k || 3, maxLength).paths;
  };

  function resolveName(text) {
    if (DATA.entities[text]) return text;
    var hit = finder.search(text, 1)[0];
    return hit ? hit.id : null;
  }

  function highlightOnly(nodeIds, edgeIds) {
    var keepN = {}, keepE = {};
    nodeIds.forEach(function (n) { keepN[n] = true; });
    edgeIds.forEach(function (e) { keepE[e] = true; });
    nodes.update(nodes.getIds().map(function (id) {
      var on = keepN[id] === true;
      return { id: id, opacity: on ? 1 : 0.2, font: { size: fontSize[id], color: on ? FONT : FONT_DIM } };
    }));
    edges.update(edges.getIds().map(function (id) {
      return { id: id, color: keepE[id] ? baseEdge[id] : { color: DIM_EDGE, highlight: DIM_EDGE, hover: DIM_EDGE } };
    }));
    dimmed = true;
  }

  function showPaths(from, to, k, maxLength) {
    var body = openPanel();
    selected.entity = selected.relation = null;
    heading(body, "Paths");
    var form = el("form", "path-form");
    var a = el("input");
    a.id = "path-from";
    a.placeholder = "from (name, synonym or id)";
    a.value = from ? entityName(from) : "";
    var b = el("input");
    b.id = "path-to";
    b.placeholder = "to";
    b.value = to ? entityName(to) : "";
    var kk = el("input");
    kk.id = "path-k";
    kk.type = "number";
    kk.min = "1";
    kk.max = "50";
    kk.value = String(k || 3);
    [["From", a], ["To", b], ["Best", kk]].forEach(function (pair) {
      var l = el("label", null, pair[0] + " ");
      l.appendChild(pair[1]);
      form.appendChild(l);
    });
    var go = el("button", null, "Find");
    go.type = "submit";
    form.appendChild(go);
    body.appendChild(form);
    var out = el("div", "path-results");
    out.id = "path-results";
    body.appendChild(out);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var s = resolveName(a.value), t = resolveName(b.value);
      if (!s || !t) {
        out.replaceChildren(el("p", "none", "No entity named " + (!s ? a.value : b.value)));
        return;
      }
      listPaths(s, t, Math.max(1, Math.min(50, parseInt(kk.value, 10) || 3)), out, maxLength);
    });
    if (from && to) listPaths(from, to, k || 3, out, maxLength);
    else a.focus();
  }
  api.showPaths = showPaths;

  function listPaths(from, to, k, out, maxLength) {
    shownPaths = { from: from, to: to, k: k };
    var result = pathFinder.paths(from, to, k, maxLength);
    out.replaceChildren();
    out.appendChild(el("p", "path-summary", result.paths.length + " path" + (result.paths.length === 1 ? "" : "s") +
      " from " + entityName(from) + " to " + entityName(to) + (result.truncated ? " (search stopped: " + result.truncated + ")" : "")));
    var ol = el("ol", "paths");
    result.paths.forEach(function (p, i) {
      var li = el("li");
      li.setAttribute("data-nodes", p.nodes.join(" "));
      var show = button("pred-link path-show", "Show path " + (i + 1), function () {
        highlightOnly(p.nodes, p.hops.map(function (h) { return h.statement; }));
        network.fit({ nodes: p.nodes.filter(function (n) { return baseNode[n]; }), animation: false });
      });
      li.appendChild(show);
      var chain = el("div", "path-chain");
      p.nodes.forEach(function (n, j) {
        chain.appendChild(entityButton(n));
        if (j < p.hops.length) {
          var h = p.hops[j];
          var hop = button("pred-link path-hop", " —" + (DATA.relations[h.statement] && h.direction === "forward" ?
            DATA.relations[h.statement].predicateLabel : h.predicate.replace(/_/g, " ")) + "→ ", function () {
            showRelation(h.statement);
          });
          hop.setAttribute("data-statement", h.statement);
          chain.appendChild(hop);
        }
      });
      li.appendChild(chain);
      ol.appendChild(li);
    });
    out.appendChild(ol);
    if (result.paths.length) {
      var first = result.paths[0];
      highlightOnly(first.nodes, first.hops.map(function (h) { return h.statement; }));
    }
    saveState();
  }
  document.getElementById("paths-open").addEventListener("click", function () {
    showPaths(selected.entity, null, 3);
  });

  // -- SPARQL in the page: Oxigraph's WebAssembly build over the graph's own N-Triples --------
  var engine = null; // a promise of the loaded store
  var sparqlButton = document.getElementById("sparql-open");
  if (DATA.sparql && typeof il2kgOxigraph === "object" && il2kgOxigraph) sparqlButton.hidden = false;

  function gunzip(b64) {
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer();
  }

  function store() {
    if (!engine) {
      engine = gunzip(DATA.sparql.wasm)
        .then(function (wasm) {
          return il2kgOxigraph.init({ module_or_path: wasm });
        })
        .then(function () {
          return Promise.all([gunzip(DATA.sparql.graph), gunzip(DATA.sparql.ontology)]);
        })
        .then(function (nts) {
          // as `il2kg query`: the data the default graph, the ontology a named graph
          var st = new il2kgOxigraph.Store();
          var text = new TextDecoder();
          st.load(text.decode(nts[0]), { format: "application/n-triples" });
          st.load(text.decode(nts[1]), {
            format: "application/n-triples", to_graph_name: il2kgOxigraph.namedNode(DATA.sparql.ontologyGraph)
          });
          return st;
        });
    }
    return engine;
  }

  /* the prefixes a typed-in query uses without declaring them, declared on its first line
     (as `il2kg query` does: its line numbers stay) */
  function withPrefixes(text) {
    var body = text.replace(/#[^\n]*/g, " ");
    var lines = "";
    Object.keys(DATA.sparql.prefixes).forEach(function (p) {
      var esc = p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      var used = new RegExp("(^|[^A-Za-z0-9_:])" + esc + ":").test(body);
      var declared = new RegExp("PREFIX\\s+" + esc + "\\s*:", "i").test(body);
      if (used && !declared) lines += "PREFIX " + p + ": <" + DATA.sparql.prefixes[p] + "> ";
    });
    return lines + text;
  }

  function question(name) {
    var found = null;
    (DATA.sparql ? DATA.sparql.questions : []).forEach(function (q) {
      if (q.name === name) found = q;
    });
    return found;
  }

  /* query(nameOrText) -> Promise of {vars, rows} (SPARQL JSON terms), or {boolean} */
  api.query = function (nameOrText) {
    if (!DATA.sparql || !il2kgOxigraph) return Promise.reject(new Error("this page has no SPARQL engine"));
    var q = question(nameOrText);
    var text = q ? q.text : withPrefixes(nameOrText);
    return store().then(function (st) {
      var out = st.query(text, { results_format: "application/sparql-results+json" });
      if (typeof out !== "string") throw new Error("unexpected answer");
      if (/^\s*\{/.test(out)) {
        var json = JSON.parse(out);
        if (json.boolean !== undefined) return { vars: [], rows: [], boolean: json.boolean };
        return {
          vars: json.head.vars,
          rows: json.results.bindings.map(function (b) {
            return json.head.vars.map(function (v) { return b[v] || null; });
          })
        };
      }
      // CONSTRUCT and DESCRIBE answer N-Triples: one row per triple
      var rows = st.query(text).map(function (quad) {
        return [quad.subject, quad.predicate, quad.object].map(function (t) {
          var cell = { type: t.termType === "NamedNode" ? "uri" : t.termType === "BlankNode" ? "bnode" : "literal", value: t.value };
          if (t.termType === "Literal") {
            if (t.language) cell["xml:lang"] = t.language;
            else cell.datatype = t.datatype.value;
          }
          return cell;
        });
      });
      return { vars: ["subject", "predicate", "object"], rows: rows };
    });
  };

  var shownQuery = null; // the named question or the text of the answer in the panel
  function showQuery(initial) {
    var body = openPanel();
    selected.entity = selected.relation = null;
    heading(body, "SPARQL");
    var pick = el("select");
    pick.id = "sparql-named";
    pick.setAttribute("aria-label", "A named question");
    var none = el("option", null, "A named question…");
    none.value = "";
    pick.appendChild(none);
    DATA.sparql.questions.forEach(function (q) {
      var o = el("option", null, q.name + ": " + q.question);
      o.value = q.name;
      pick.appendChild(o);
    });
    var box = el("textarea");
    box.id = "sparql-text";
    box.rows = 8;
    box.spellcheck = false;
    box.setAttribute("aria-label", "SPARQL query");
    var q0 = question(initial || "");
    box.value = q0 ? q0.text : initial || "SELECT ?s ?label WHERE { ?s rdfs:label ?label } LIMIT 10";
    if (q0) pick.value = q0.name;
    pick.addEventListener("change", function () {
      var q = question(pick.value);
      if (q) box.value = q.text;
    });
    var run = button("sparql-run", "Run", function () {
      runQuery(box.value, out);
    });
    run.id = "sparql-run";
    var out = el("div", "sparql-results");
    out.id = "sparql-results";
    body.appendChild(pick);
    body.appendChild(box);
    body.appendChild(run);
    body.appendChild(out);
    if (initial) runQuery(box.value, out);
  }
  api.showQuery = showQuery;
  sparqlButton.addEventListener("click", function () {
    showQuery("");
  });

  function runQuery(text, out) {
    var named = null;
    (DATA.sparql ? DATA.sparql.questions : []).forEach(function (q) {
      if (q.text === text) named = q.name;
    });
    shownQuery = named || text;
    saveState();
    out.replaceChildren(el("p", "none", "Running…"));
    return api.query(text).then(function (res) {
      out.replaceChildren();
      if (res.boolean !== undefined) {
        out.appendChild(el("p", "sparql-boolean", res.boolean ? "yes (true)" : "no (false)"));
        return;
      }
      out.appendChild(el("p", "sparql-count", res.rows.length + " row" + (res.rows.length === 1 ? "" : "s")));
      var table = el("table", "sparql-table");
      var head = el("tr");
      res.vars.forEach(function (v) { head.appendChild(el("th", null, v)); });
      table.appendChild(head);
      var seen = {};
      res.rows.forEach(function (row) {
        var tr = el("tr");
        row.forEach(function (cell) {
          var td = el("td");
          if (cell && cell.type === "uri" && DATA.iris[cell.value]) {
            var id = DATA.iris[cell.value];
            seen[id] = true;
            td.appendChild(entityButton(id));
          } else if (cell) {
            td.textContent = cell.value;
          }
          tr.appendChild(td);
        });
        table.appendChild(tr);
      });
      out.appendChild(table);
      var ids = Object.keys(seen).filter(function (n) { return baseNode[n]; });
      if (ids.length) highlightOnly(ids, []);
    }, function (err) {
      out.replaceChildren(el("p", "sparql-error", String(err && err.message ? err.message : err)));
    });
  }

  // -- the timeline of the dated entities, linked both ways with the graph and the panel ---------
  var timeline = document.getElementById("timeline");
  var track = document.getElementById("timeline-track");
  var toggle = document.getElementById("timeline-toggle");
  var timelineItem = {};
  var eventsOf = {};
  (DATA.timeline || []).forEach(function (ev) {
    ev.concerns.forEach(function (other) {
      (eventsOf[other] = eventsOf[other] || []).push(ev);
    });
  });
  if (!(DATA.timeline || []).length) toggle.hidden = true;

  function buildTimeline() {
    if (track.childElementCount) return;
    var year = null;
    var list = null;
    DATA.timeline.forEach(function (ev) {
      var y = ev.date.slice(0, 4);
      if (y !== year) {
        year = y;
        var col = el("div", "tl-year");
        col.appendChild(el("h3", null, y));
        list = el("ol");
        col.appendChild(list);
        track.appendChild(col);
      }
      var li = el("li");
      var b = button("tl-event", null, function () {
        selectEntity(ev.id);
      });
      b.setAttribute("data-id", ev.id);
      b.title = entityName(ev.id);
      b.appendChild(el("span", "tl-date", ev.date));
      b.appendChild(el("span", null, entityName(ev.id)));
      li.appendChild(b);
      list.appendChild(li);
      timelineItem[ev.id] = b;
    });
  }
  // the items exist from the start, so that the panel knows which entities are events
  (DATA.timeline || []).forEach(function (ev) {
    timelineItem[ev.id] = true;
  });

  function openTimeline(on) {
    if (on) buildTimeline();
    timeline.hidden = !on;
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    if (on) markTimeline(selected.entity);
    saveState();
  }
  api.timeline = openTimeline;
  toggle.addEventListener("click", function () {
    openTimeline(timeline.hidden);
  });

  function markTimeline(id) {
    if (timeline.hidden) return;
    var related = {};
    (eventsOf[id] || []).forEach(function (ev) {
      related[ev.id] = true;
    });
    track.querySelectorAll("button.tl-event").forEach(function (b) {
      var eid = b.getAttribute("data-id");
      b.classList.toggle("active", eid === id);
      b.classList.toggle("related", related[eid] === true);
      b.setAttribute("aria-current", eid === id ? "true" : "false");
    });
    var current = timelineItem[id];
    if (current && current !== true) current.scrollIntoView({ block: "nearest", inline: "center" });
  }

  // -- the view in the URL fragment: #select=…&relation=…&hide-kinds=…&hide-predicates=…&view=x,y,scale
  function state() {
    var at = network.getViewPosition();
    var s = {
      view: [Math.round(at.x), Math.round(at.y), Math.round(network.getScale() * 1000) / 1000].join(",")
    };
    if (selected.entity) s.select = selected.entity;
    if (selected.relation) s.relation = selected.relation;
    var hk = Object.keys(hiddenKinds).filter(function (k) { return hiddenKinds[k]; }).sort();
    var hp = Object.keys(hiddenPreds).filter(function (p) { return hiddenPreds[p]; }).sort();
    if (hk.length) s["hide-kinds"] = hk.join(",");
    if (hp.length) s["hide-predicates"] = hp.join(",");
    if (input.value.trim()) s.q = input.value.trim();
    if (!timeline.hidden) s.timeline = "1";
    if (shownPaths) s.path = [shownPaths.from, shownPaths.to, shownPaths.k].join(",");
    if (shownQuery) s.query = shownQuery;
    return s;
  }
  api.state = state;

  function fragment(s) {
    return "#" + Object.keys(s)
      .map(function (k) {
        return k + "=" + encodeURIComponent(s[k]);
      })
      .join("&");
  }

  var restoring = false;
  function setAddress(url) {
    try {
      history.replaceState(null, "", url);
    } catch (e) {
      // a sandboxed frame (a notebook's output) cannot change its address: the view stays
      // shareable through il2kgExplorer.link()
    }
  }

  function saveState() {
    if (!isReady || restoring) return;
    setAddress(fragment(state()));
  }
  var saveTimer = null;
  function saveStateSoon() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveState, 250);
  }
  api.link = function () {
    return location.href.split("#")[0] + fragment(state());
  };

  function parseFragment(hash) {
    var out = {};
    (hash || "").replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) return;
      var i = part.indexOf("=");
      var k = i < 0 ? part : part.slice(0, i);
      try {
        out[k] = i < 0 ? "" : decodeURIComponent(part.slice(i + 1));
      } catch (e) {
        out[k] = "";
      }
    });
    return out;
  }

  function restore(hash) {
    var s = parseFragment(hash);
    if (!Object.keys(s).length) return false;
    restoring = true;
    try {
      var list = function (v) { return v ? v.split(",") : []; };
      setFilters(list(s["hide-kinds"]), list(s["hide-predicates"]));
      openTimeline(s.timeline === "1");
      if (s.q !== undefined) input.value = s.q;
      var path = (s.path || "").split(",");
      if (s.query && DATA.sparql && !sparqlButton.hidden) {
        showQuery(s.query);
      } else if (path.length === 3 && DATA.entities[path[0]] && DATA.entities[path[1]]) {
        showPaths(path[0], path[1], parseInt(path[2], 10) || 3);
      } else if (s.select && DATA.entities[s.select]) selectEntity(s.select, true);
      else if (s.relation && DATA.relations[s.relation]) showRelation(s.relation);
      else {
        closePanel();
        clearHighlight();
        network.unselectAll();
      }
      var v = (s.view || "").split(",").map(Number);
      if (v.length === 3 && v.every(isFinite) && v[2] > 0) {
        network.moveTo({ position: { x: v[0], y: v[1] }, scale: v[2], animation: false });
      } else if (s.select && baseNode[s.select]) {
        network.focus(s.select, { scale: Math.max(network.getScale(), 1.0), animation: false });
      }
    } finally {
      restoring = false;
    }
    return true;
  }
  api.restore = restore;
  window.addEventListener("hashchange", function () {
    restore(location.hash);
  });
})();
