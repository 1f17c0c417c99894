/* il2kg explorer: the search, ranked as `il2kg search` ranks (il2kg/paths/resolve.py).
   The names of the drawn entities come folded and normalised by Python; only the text typed in
   is folded and normalised here, with the same steps (and Python's case-folding and whitespace
   tables, shipped in the page). Scores, ties and the fuzzy tier (difflib's SequenceMatcher,
   ported below) are the resolver's. */
var il2kgSearch = (function () {
  "use strict";

  var GREEK = {
    "α": "a", "β": "b", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "h", "θ": "q", "ι": "i",
    "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "π": "p", "ρ": "r", "σ": "s", "ς": "s",
    "τ": "t", "υ": "u", "φ": "f", "χ": "c", "ψ": "y", "ω": "w"
  };
  var WORDS = /alpha|beta|gamma|delta|epsilon|kappa|lambda|omega|receptor|interleukin/g;
  var WORD_MAP = {
    alpha: "a", beta: "b", gamma: "g", delta: "d", epsilon: "e", kappa: "k", lambda: "l",
    omega: "w", receptor: "r", interleukin: "il"
  };
  var NON_ALNUM = /[^0-9a-z]+/g;
  var COMBINING = /\p{M}/gu;
  var EXACT = { id: 100.0, label: 95.0, synonym: 90.0, xref: 88.0 };
  var NORMAL = { id: 86.0, label: 85.0, synonym: 80.0, xref: 75.0 };

  function make(tables) {
    var casefold = tables.casefold;
    var spaces = {};
    Array.from(tables.spaces).forEach(function (c) {
      spaces[c] = true;
    });

    /* resolve.fold: NFKC, Python's casefold, runs of whitespace to one space, trimmed */
    function fold(text) {
      var s = text.normalize("NFKC");
      var out = [];
      var word = "";
      Array.from(s).forEach(function (c) {
        if (spaces[c]) {
          if (word) out.push(word);
          word = "";
        } else {
          word += casefold[c] !== undefined ? casefold[c] : c.toLowerCase();
        }
      });
      if (word) out.push(word);
      return out.join(" ");
    }

    /* resolve.normalise */
    function normalise(text) {
      var s = Array.from(fold(text))
        .map(function (c) {
          return GREEK[c] !== undefined ? GREEK[c] : c;
        })
        .join("");
      s = s.normalize("NFKD").replace(COMBINING, "");
      s = s.replace(WORDS, function (m) {
        return WORD_MAP[m];
      });
      return s.replace(NON_ALNUM, "");
    }
    /* str.casefold (no NFKC, no whitespace rule): what path ranking compares labels by */
    function fold1(text) {
      return Array.from(text)
        .map(function (c) {
          return casefold[c] !== undefined ? casefold[c] : c.toLowerCase();
        })
        .join("");
    }
    return { fold: fold, normalise: normalise, casefold: fold1 };
  }

  /* difflib.SequenceMatcher(None, a, b): ratio, quick_ratio, real_quick_ratio */
  function Matcher(a, b) {
    this.a = a;
    this.b = b;
    var b2j = {};
    var i;
    for (i = 0; i < b.length; i++) {
      (b2j[b[i]] = b2j[b[i]] || []).push(i);
    }
    if (b.length >= 200) {  // difflib's autojunk: drop the popular elements
      var ntest = Math.floor(b.length / 100) + 1;
      Object.keys(b2j).forEach(function (c) {
        if (b2j[c].length > ntest) delete b2j[c];
      });
    }
    this.b2j = b2j;
  }
  Matcher.prototype.longest = function (alo, ahi, blo, bhi) {
    var a = this.a, b = this.b, b2j = this.b2j;
    var besti = alo, bestj = blo, bestsize = 0;
    var j2len = {};
    for (var i = alo; i < ahi; i++) {
      var next = {};
      var js = b2j[a[i]] || [];
      for (var x = 0; x < js.length; x++) {
        var j = js[x];
        if (j < blo) continue;
        if (j >= bhi) break;
        var k = (next[j] = (j2len[j - 1] || 0) + 1);
        if (k > bestsize) {
          besti = i - k + 1;
          bestj = j - k + 1;
          bestsize = k;
        }
      }
      j2len = next;
    }
    while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
      besti--;
      bestj--;
      bestsize++;
    }
    while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) {
      bestsize++;
    }
    return [besti, bestj, bestsize];
  };
  Matcher.prototype.matches = function () {
    var total = 0;
    var queue = [[0, this.a.length, 0, this.b.length]];
    while (queue.length) {
      var q = queue.pop();
      var m = this.longest(q[0], q[1], q[2], q[3]);
      var i = m[0], j = m[1], k = m[2];
      if (k) {
        total += k;
        if (q[0] < i && q[2] < j) queue.push([q[0], i, q[2], j]);
        if (i + k < q[1] && j + k < q[3]) queue.push([i + k, q[1], j + k, q[3]]);
      }
    }
    return total;
  };
  Matcher.prototype.ratio = function () {
    return (2.0 * this.matches()) / (this.a.length + this.b.length);
  };
  Matcher.prototype.quickRatio = function () {
    var avail = {};
    var n = 0;
    var c;
    for (c = 0; c < this.b.length; c++) avail[this.b[c]] = (avail[this.b[c]] || 0) + 1;
    for (c = 0; c < this.a.length; c++) {
      if ((avail[this.a[c]] || 0) > 0) {
        avail[this.a[c]] -= 1;
        n++;
      }
    }
    return (2.0 * n) / (this.a.length + this.b.length);
  };
  Matcher.prototype.realQuickRatio = function () {
    var la = this.a.length, lb = this.b.length;
    return (2.0 * Math.min(la, lb)) / (la + lb);
  };

  /* resolve._score */
  function score(kind, folded, normal, f, n) {
    if (folded === f) return EXACT[kind];
    if (normal && normal === n) return NORMAL[kind];
    if (!normal || !n) return 0.0;
    var ratio = normal.length / n.length;
    var bonus = kind === "label" || kind === "id" ? 5.0 : 0.0;
    if (n.indexOf(normal) === 0) return 55.0 + bonus + 10.0 * ratio;
    if (n.indexOf(normal) >= 0) return 40.0 + bonus + 10.0 * ratio;
    if (normal.length < 3) return 0.0;
    var m = new Matcher(normal, n);
    if (m.realQuickRatio() < 0.6 || m.quickRatio() < 0.6) return 0.0;
    var r = m.ratio();
    return r >= 0.6 ? 40.0 * r : 0.0;
  }

  function codepoints(s) {
    return Array.from(s).length;
  }

  function pyLess(x, y) {  // Python compares strings by code point
    var a = Array.from(x), b = Array.from(y);
    for (var i = 0; i < Math.min(a.length, b.length); i++) {
      var ca = a[i].codePointAt(0), cb = b[i].codePointAt(0);
      if (ca !== cb) return ca - cb;
    }
    return a.length - b.length;
  }

  /* Resolver.search: names are [entity, field, text, folded, normalised] rows */
  function index(data) {
    var norm = make(data.search);
    var rows = data.search.names;
    function label(id) {
      var e = data.entities[id];
      return e ? e.label : id;
    }
    function search(term, limit) {
      var folded = norm.fold(term);
      var normal = norm.normalise(term);
      if (!folded) return [];
      var best = {};
      rows.forEach(function (r) {
        var s = score(r[1], folded, normal, r[3], r[4]);
        if (s > 0 && s > (best[r[0]] ? best[r[0]].score : 0.0)) {
          best[r[0]] = { id: r[0], score: s, matched: r[2], field: r[1] };
        }
      });
      var hits = Object.keys(best).map(function (id) {
        var h = best[id];
        h.label = label(id);
        return h;
      });
      hits.sort(function (x, y) {
        return y.score - x.score || codepoints(x.label) - codepoints(y.label) || pyLess(x.label, y.label);
      });
      return hits.slice(0, limit === undefined ? 10 : limit);
    }
    return { search: search, fold: norm.fold, normalise: norm.normalise, casefold: norm.casefold };
  }

  return { index: index };
})();
