/* il2kg explorer: paths between two entities, ranked as `il2kg path` ranks them
   (il2kg/paths/search.py): relations walked in their direction, or backwards under the name
   of a declared inverse; the shortest length first, then longer ones until k paths are found;
   among paths of one length the lower cost wins (hop costs, then the hub penalty of each
   intermediate node, added in that order), then the node labels, case-folded. The costs come
   from Python in the page's data. */
var il2kgPaths = (function () {
  "use strict";

  function pyCompare(x, y) {  // Python's order of strings (by code point)
    var a = Array.from(x), b = Array.from(y);
    for (var i = 0; i < Math.min(a.length, b.length); i++) {
      var ca = a[i].codePointAt(0), cb = b[i].codePointAt(0);
      if (ca !== cb) return ca - cb;
    }
    return a.length - b.length;
  }

  function finder(data, casefold) {
    var P = data.paths;
    var steps = {}; // u -> v -> [{statement, shown, direction, cost}]
    var back = {}; // v -> {u: true}: the steps into v, for the distances to a target
    function add(u, v, step) {
      var to = (steps[u] = steps[u] || {});
      (to[v] = to[v] || []).push(step);
      (back[v] = back[v] || {})[u] = true;
    }
    P.edges.forEach(function (e) {
      var sid = e[0], s = e[1], pred = e[2], o = e[3], cost = e[4];
      if (s === o) return;
      add(s, o, { statement: sid, shown: pred, direction: "forward", cost: cost, subject: s, object: o });
      var inv = P.inverses[pred];
      if (inv) add(o, s, { statement: sid, shown: inv, direction: "inverse", cost: cost, subject: s, object: o });
    });
    var label = {};
    function name(n) {
      if (label[n] === undefined) {
        var e = data.entities[n];
        label[n] = casefold(e ? e.label : n);
      }
      return label[n];
    }

    function distancesTo(target, limit) {
      var dist = {};
      dist[target] = 0;
      var queue = [target];
      for (var qi = 0; qi < queue.length; qi++) {
        var v = queue[qi];
        if (dist[v] >= limit) continue;
        Object.keys(back[v] || {}).forEach(function (u) {
          if (dist[u] === undefined) {
            dist[u] = dist[v] + 1;
            queue.push(u);
          }
        });
      }
      return dist;
    }

    function pairCost(u, v) {
      var best = Infinity;
      steps[u][v].forEach(function (s) {
        if (s.cost < best) best = s.cost;
      });
      return best;
    }

    function bestStep(u, v) {
      return steps[u][v].slice().sort(function (a, b) {
        return a.cost - b.cost || pyCompare(a.shown, b.shown) || pyCompare(a.statement, b.statement);
      })[0];
    }

    /* the k best paths from source to target: {paths: [{nodes, hops, cost}], truncated} */
    function paths(source, target, k, maxLength) {
      k = k || 1;
      maxLength = maxLength || P.maxLength;
      var dist = distancesTo(target, maxLength);
      if (source === target || dist[source] === undefined) return { paths: [], truncated: null };
      var found = [];
      var truncated = null;
      var path = [source];
      var onPath = {};
      onPath[source] = true;
      function emit() {
        var cost = 0.0;
        for (var i = 0; i + 1 < path.length; i++) cost += pairCost(path[i], path[i + 1]);
        for (var j = 1; j + 1 < path.length; j++) cost += P.hub[path[j]];
        found.push({ length: path.length - 1, cost: cost, key: path.map(name), nodes: path.slice() });
      }
      function dfs(u, length) {
        var depth = path.length - 1;
        if (u === target) {
          if (depth === length) {
            if (found.length >= P.maxPaths) throw new Error("limit of " + P.maxPaths + " paths");
            emit();
          }
          return;
        }
        if (depth >= length) return;
        var room = length - depth - 1;
        Object.keys(steps[u] || {}).forEach(function (v) {
          if (onPath[v] || dist[v] === undefined || dist[v] > room) return;
          path.push(v);
          onPath[v] = true;
          dfs(v, length);
          path.pop();
          delete onPath[v];
        });
      }
      try {
        for (var length = Math.max(dist[source], 1); length <= maxLength; length++) {
          dfs(source, length);
          if (found.length >= k) break;
        }
      } catch (stop) {
        truncated = stop.message;
      }
      found.sort(function (a, b) {
        if (a.length !== b.length) return a.length - b.length;
        if (a.cost !== b.cost) return a.cost - b.cost;
        for (var i = 0; i < a.key.length; i++) {
          var c = pyCompare(a.key[i], b.key[i]);
          if (c) return c;
        }
        return 0;
      });
      return {
        truncated: truncated,
        paths: found.slice(0, k).map(function (f) {
          var hops = [];
          for (var i = 0; i + 1 < f.nodes.length; i++) {
            var s = bestStep(f.nodes[i], f.nodes[i + 1]);
            hops.push({
              source: f.nodes[i], target: f.nodes[i + 1], predicate: s.shown, direction: s.direction,
              statement: s.statement, subject: s.subject, object: s.object
            });
          }
          return { nodes: f.nodes, hops: hops, cost: f.cost };
        })
      };
    }
    return { paths: paths };
  }

  return { finder: finder };
})();
