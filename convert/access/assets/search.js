/* The search of a site made by `bulletin site` (bulletin-convert).

   It works from a web server and from a page opened straight from disk (file://), where a
   browser allows neither fetch nor WebAssembly modules: every part of the index is a small
   script (search/manifest.js, then the shards and blocks a query needs) that hands its data to
   window.bulletinSearch when a <script> tag loads it. The format is described in
   convert/access/search.py; fold() and tokens() must stay the twins of the Python ones there.
   Results are built with DOM methods and text nodes only: no text of a bulletin is ever
   parsed as HTML. */
(function () {
  'use strict';

  var FINAL = '0123456789abcdefghijklmnopqrstuv';
  var MORE = 'wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/';
  var MAX_WORD = 40;
  var PAGE = 20;
  var MAX_EXPANSIONS = 200;
  var store = { manifest: null, shards: {}, docs: {}, texts: {} };
  var loading = {};
  var here = document.currentScript ? document.currentScript.src : '';
  var base = here.replace(/assets\/search\.js(\?.*)?$/, '');

  function fold(text) {
    return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/ς/g, 'σ');
  }

  function tokens(text) {
    return (fold(text).match(/[\p{L}\p{N}]+/gu) || []).filter(function (w) {
      return w.length <= MAX_WORD;
    });
  }

  /* The postings of a term: [[document, count], ...] (see search.encode). */
  function decode(code) {
    var numbers = [], value = 0, i, c, k;
    for (i = 0; i < code.length; i++) {
      c = code.charAt(i);
      k = MORE.indexOf(c);
      if (k >= 0) {
        value = value * 32 + k;
      } else {
        numbers.push(value * 32 + FINAL.indexOf(c));
        value = 0;
      }
    }
    var found = [], previous = -1;
    for (i = 0; i + 1 < numbers.length; i += 2) {
      previous += numbers[i] + 1;
      found.push([previous, numbers[i + 1] + 1]);
    }
    return found;
  }

  window.bulletinSearch = {
    manifest: function (m) { store.manifest = m; },
    shard: function (seg, n, terms) { store.shards[seg + '/' + n] = terms; },
    docs: function (seg, n, rows) { store.docs[seg + '/' + n] = rows; },
    text: function (page, text) { store.texts[page] = text; },
    fold: fold,
    tokens: tokens,
    decode: decode,
    search: function (query) { return search(parse(query)); }
  };

  function load(src) {
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve, reject) {
        var s = document.createElement('script');
        s.src = base + src;
        s.onload = function () { resolve(); };
        s.onerror = function () { reject(new Error('cannot load ' + src)); };
        document.head.appendChild(s);
      });
    }
    return loading[src];
  }

  /* The words of a query: {term, prefix}; a word ending in * is a prefix. */
  function parse(query) {
    var words = [];
    query.split(/\s+/).forEach(function (raw) {
      var prefix = /\*$/.test(raw);
      var found = tokens(raw);
      found.forEach(function (term, i) {
        words.push({ term: term, prefix: prefix && i === found.length - 1 });
      });
    });
    var seen = {};
    return words.filter(function (w) {
      var key = w.term + (w.prefix ? '*' : '');
      if (seen[key]) { return false; }
      seen[key] = true;
      return true;
    });
  }

  /* The index of the shard of a segment that holds `term` (-1 if none can). */
  function shardOf(seg, term) {
    var firsts = seg.shards, lo = 0, hi = firsts.length - 1, found = -1, mid;
    while (lo <= hi) {
      mid = (lo + hi) >> 1;
      if (firsts[mid] <= term) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function shardsFor(seg, word) {
    var first = shardOf(seg, word.term), list = [];
    if (!word.prefix) { return first < 0 ? [] : [first]; }
    first = Math.max(first, 0);
    for (var i = first; i < seg.shards.length; i++) {
      if (i > first && seg.shards[i].slice(0, word.term.length) > word.term) { break; }
      list.push(i);
    }
    return list;
  }

  /* doc -> count, in one segment, for one word of the query. */
  function postings(seg, word) {
    var found = new Map(), expansions = 0;
    shardsFor(seg, word).forEach(function (n) {
      var terms = store.shards[seg.id + '/' + n] || {};
      var keys = word.prefix ? Object.keys(terms) : [word.term];
      keys.forEach(function (term) {
        if (!Object.prototype.hasOwnProperty.call(terms, term)) { return; }
        if (word.prefix && (term.slice(0, word.term.length) !== word.term ||
                            expansions++ >= MAX_EXPANSIONS)) { return; }
        decode(terms[term]).forEach(function (p) {
          found.set(p[0], (found.get(p[0]) || 0) + p[1]);
        });
      });
    });
    return found;
  }

  function search(words) {
    var manifest = store.manifest;
    if (!words.length) { return Promise.resolve([]); }
    var needed = [];
    manifest.segments.forEach(function (seg) {
      words.forEach(function (word) {
        shardsFor(seg, word).forEach(function (n) {
          needed.push(load('search/' + seg.id + '/t' + n + '.js'));
        });
      });
    });
    return Promise.all(needed).then(function () {
      var perWord = manifest.segments.map(function (seg) {
        return words.map(function (word) { return postings(seg, word); });
      });
      var df = words.map(function (_, w) {
        return perWord.reduce(function (sum, lists) { return sum + lists[w].size; }, 0);
      });
      var idf = df.map(function (d) { return Math.log(1 + manifest.documents / Math.max(d, 1)); });
      var results = [];
      perWord.forEach(function (lists, s) {
        var smallest = lists.reduce(function (a, b) { return a.size <= b.size ? a : b; });
        smallest.forEach(function (_, doc) {
          var score = 0;
          for (var w = 0; w < lists.length; w++) {
            var count = lists[w].get(doc);
            if (!count) { return; }
            score += (1 + Math.log(count)) * idf[w];
          }
          results.push({ segment: s, doc: doc, score: score });
        });
      });
      results.sort(function (a, b) {
        return b.score - a.score || a.segment - b.segment || a.doc - b.doc;
      });
      return results;
    });
  }

  /* What a result shows: [page, title, date, agency, language], and its text. */
  function describe(results) {
    var manifest = store.manifest, block = manifest.block;
    return Promise.all(results.map(function (r) {
      var seg = manifest.segments[r.segment];
      var key = seg.id + '/' + Math.floor(r.doc / block);
      return load('search/' + seg.id + '/d' + Math.floor(r.doc / block) + '.js').then(function () {
        var row = store.docs[key][r.doc % block];
        var text = 'search/text/' + row[0].replace(/^bulletins\//, '').replace(/\.html$/, '') + '.js';
        return load(text).then(function () { return row; }, function () { return row; });
      });
    }));
  }

  /* `text` into `parent` as text nodes, the words of the query in <mark>. */
  function marked(parent, text, words) {
    var re = /[\p{L}\p{N}\p{M}]+/gu, last = 0, m, any = false;
    while ((m = re.exec(text)) !== null) {
      if (matches(m[0], words)) {
        parent.appendChild(document.createTextNode(text.slice(last, m.index)));
        var mark = document.createElement('mark');
        mark.textContent = m[0];
        parent.appendChild(mark);
        last = m.index + m[0].length;
        any = true;
      }
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
    return any;
  }

  function matches(word, words) {
    return tokens(word).some(function (t) {
      return words.some(function (w) {
        return w.prefix ? t.slice(0, w.term.length) === w.term : t === w.term;
      });
    });
  }

  /* About 30 words of `text` around the first word of the query it holds. */
  function excerpt(text, words) {
    var re = /[\p{L}\p{N}\p{M}]+/gu, m, starts = [], hit = -1;
    while ((m = re.exec(text)) !== null) {
      starts.push([m.index, m.index + m[0].length]);
      if (hit < 0 && matches(m[0], words)) { hit = starts.length - 1; }
    }
    if (!starts.length) { return ''; }
    var from = Math.max(0, (hit < 0 ? 0 : hit) - 10);
    var to = Math.min(starts.length - 1, from + 30);
    var cut = text.slice(starts[from][0], starts[to][1]).replace(/\s+/g, ' ');
    return (from > 0 ? '… ' : '') + cut + (to < starts.length - 1 ? ' …' : '');
  }

  function init() {
    var form = document.getElementById('search-form');
    if (!form) { return; }
    var input = document.getElementById('q');
    var button = form.querySelector('button');
    var status = document.getElementById('search-status');
    var list = document.getElementById('results');
    var more = document.getElementById('more');
    var current = { words: [], results: [], shown: 0 };
    if (!store.manifest) {
      status.textContent = 'The search index (search/manifest.js) is missing: build the ' +
        'site again with bulletin site. Browsing below still works.';
      return;
    }
    input.disabled = false;
    button.disabled = false;

    function show(count) {
      var slice = current.results.slice(current.shown, current.shown + count);
      return describe(slice).then(function (rows) {
        var firstLink = null;
        rows.forEach(function (row) {
          var li = document.createElement('li');
          var a = document.createElement('a');
          a.href = base + row[0];
          a.lang = row[4];
          marked(a, row[1], current.words);
          li.appendChild(a);
          var meta = document.createElement('span');
          meta.className = 'meta';
          meta.textContent = [row[2], row[3]].filter(Boolean).join(' · ');
          li.appendChild(meta);
          var text = store.texts[row[0]];
          if (text) {
            var p = document.createElement('p');
            p.className = 'snippet';
            p.lang = row[4];
            marked(p, excerpt(text, current.words), current.words);
            li.appendChild(p);
          }
          list.appendChild(li);
          firstLink = firstLink || a;
        });
        current.shown += slice.length;
        more.hidden = current.shown >= current.results.length;
        return firstLink;
      });
    }

    function run(query) {
      var started = performance.now();
      var words = parse(query);
      list.textContent = '';
      more.hidden = true;
      list.removeAttribute('data-ms');
      list.setAttribute('data-state', 'searching');
      if (!words.length) {
        status.textContent = query.trim() ? 'Give a word made of letters or digits.' : '';
        list.setAttribute('data-state', 'done');
        return Promise.resolve();
      }
      status.textContent = 'Searching…';
      return search(words).then(function (results) {
        current = { words: words, results: results, shown: 0 };
        return show(PAGE);
      }).then(function () {
        var n = current.results.length;
        var asked = '“' + query.trim() + '”';
        status.textContent = n === 0 ? 'No bulletin holds ' + asked + '.' :
          (n === 1 ? 'One bulletin holds ' : n.toLocaleString('en') + ' bulletins hold ') + asked +
          (n > current.shown ? '; the first ' + current.shown + ' are shown.' : '.');
        list.setAttribute('data-ms', String(Math.round(performance.now() - started)));
        list.setAttribute('data-state', 'done');
      }, function (error) {
        status.textContent = 'The search failed: ' + error.message + '. Build the site again ' +
          'with bulletin site; browsing below still works.';
        list.setAttribute('data-state', 'failed');
      });
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var query = input.value;
      if (location.hash !== '#q=' + encodeURIComponent(query)) {
        history.replaceState(null, '', '#q=' + encodeURIComponent(query));
      }
      run(query);
    });
    more.addEventListener('click', function () {
      show(PAGE).then(function (link) { if (link) { link.focus(); } });
    });
    var asked = /^#q=(.*)$/.exec(location.hash);
    if (asked) {
      input.value = decodeURIComponent(asked[1]);
      run(input.value);
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
