"""``metatrace view --format html``: one self-contained page with the picture, a searchable op
listing per trace, links from guards to their bridges, and the explanations.

Self-contained means no network at all: inline CSS, a few lines of inline script, system fonts,
and a Content-Security-Policy that forbids fetching anything.  Every piece of text that comes
from the log goes through :func:`html.escape`.
"""

from __future__ import annotations

import html
from typing import Any, Dict, List, Optional, Set

from .explain import (ABORT_TITLES, abort_advice, explain_invalidation, grouped_aborts,
                      guard_advice)
from .graph import anchor
from .model import Log, Trace, guard_location, short_file, where
from .source import by_function
from .summary import summarize

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "img-src data:")

CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#222}
header{position:sticky;top:0;background:#263238;color:#fff;padding:8px 16px;z-index:2;
 display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header h1{font-size:16px;margin:0}
header input{font:inherit;padding:3px 6px;width:24em;border-radius:3px;border:0}
header .count{font-size:12px;color:#b0bec5}
main{padding:8px 16px}
.graph{overflow:auto;border:1px solid #cfd8dc;max-height:80vh;background:#fff}
.graph svg{display:block}
table{border-collapse:collapse}
.counters td{padding:1px 10px 1px 0}
.counters td.n{text-align:right;font-variant-numeric:tabular-nums}
section.trace{border-top:2px solid #90a4ae;margin-top:18px;padding-top:4px}
section.trace h2{font-size:15px;margin:4px 0}
.ops{font:12px/1.35 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;width:100%}
.ops td{padding:0 8px;vertical-align:top;white-space:pre-wrap}
.ops tr.grp td{background:#e3e9f3;font-weight:bold;font-family:system-ui,sans-serif;
 padding-top:3px}
.ops td.src{color:#78909c;white-space:nowrap;text-align:right}
.ops tr.quiet td.text{color:#9e9e9e}
.ops tr.hot td{background:#fff3e0}
.ops tr.hot td.text{color:#bf360c;font-weight:bold}
.why{margin:4px 0 10px 0;padding:6px 10px;background:#fbe9e7;border-left:3px solid #d84315}
.why.inv{background:#ede7f6;border-color:#5e35b1}
.meta{color:#546e7a;font-size:13px}
.hidden{display:none}
nav.toc{margin:6px 0 2px 0;font-size:13px}
nav.toc a{margin-right:14px}
section.overview h2,section.source h2,section.picture h2{font-size:16px;margin:16px 0 6px 0;
 border-bottom:1px solid #cfd8dc}
section.overview h2:first-child{margin-top:6px}
p.plain{margin:4px 0;max-width:70em}
table.list{border-collapse:collapse;font-size:13px;margin:2px 0 8px 0}
table.list th{text-align:left;background:#eceff1;padding:2px 8px;font-weight:600}
table.list td{padding:2px 8px;border-top:1px solid #eceff1;vertical-align:top}
table.list td.n,table.list th.n{text-align:right;font-variant-numeric:tabular-nums}
table.list td.loc{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
table.list tr.hot td{background:#fff3e0}
.reason{margin:8px 0 2px 0;font-weight:600}
.advice{margin:0 0 4px 0;color:#37474f;max-width:70em}
section.func{margin:10px 0 14px 0}
section.func h3{font-size:15px;margin:6px 0 4px 0}
details.graph-box>summary{cursor:pointer;font-weight:600;padding:4px 0}
:target{outline:2px solid #ff9800}
"""

SCRIPT = r"""
(function(){
 var box=document.getElementById('q'), out=document.getElementById('qcount');
 function run(){
  var q=box.value.toLowerCase(), n=0;
  document.querySelectorAll('section.trace').forEach(function(sec){
   var any=false;
   sec.querySelectorAll('tr.op').forEach(function(tr){
    var hit=!q||tr.textContent.toLowerCase().indexOf(q)>=0;
    tr.classList.toggle('hidden',!hit); if(hit){any=true;n++;}
   });
   var head=sec.querySelector('h2').textContent.toLowerCase();
   sec.classList.toggle('hidden',!!q&&!any&&head.indexOf(q)<0);
  });
  out.textContent=q?(n+' matching ops'):'';
  document.body.setAttribute('data-matches', q?String(n):'');
 }
 box.addEventListener('input',run);
 var m=/[?&]q=([^&#]*)/.exec(location.search);  /* page.html?q=guard_class */
 if(m){box.value=decodeURIComponent(m[1].replace(/\+/g,' '));run();}
 function reveal(){  /* a link into the graph or a folded listing opens it */
  var id=decodeURIComponent(location.hash.slice(1)), el=id&&document.getElementById(id);
  for(var p=el;p;p=p.parentElement){if(p.tagName==='DETAILS'){p.open=true;}}
  if(el&&el.scrollIntoView){el.scrollIntoView();}
 }
 window.addEventListener('hashchange',reveal); if(location.hash){reveal();}
})();
"""


def e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def page(log: Log, svg: Optional[str], stage: str = "optimized", title: str = "trace log",
         note: str = "", trace_id: Optional[int] = None) -> str:
    """The HTML page; ``svg`` is the inline picture (``None`` when Graphviz was missing, with
    ``note`` saying so)."""
    parts: List[str] = []
    parts.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
    parts.append('<meta http-equiv="Content-Security-Policy" content="%s">' % CSP)
    parts.append("<title>metatrace: %s</title><style>%s</style></head><body>" % (e(title), CSS))
    parts.append('<header><h1>metatrace: %s</h1><input id="q" type="search" '
                 'placeholder="search ops, e.g. guard_class, call, interp.py:89" '
                 'aria-label="search ops"><span class="count" id="qcount"></span></header>'
                 % e(title))
    parts.append("<main>")
    traces = log.traces
    if trace_id is not None:
        center = log.trace(trace_id)
        traces = [center] + log.neighbours(center)
    parts.append(_overview(log, {t.id for t in traces}))
    parts.append(_source_view(log, stage, {t.id for t in traces}))
    parts.append(_graph_section(svg, note))
    parts.append('<h2 id="traces">Traces: ops by interpreted instruction (%d)</h2>'
                 % len(traces))
    for t in traces:
        parts.append(_trace_section(log, t, stage))
    parts.append("</main><script>%s</script></body></html>" % SCRIPT)
    return "\n".join(parts)


def _n(count: int, one: str, many: Optional[str] = None) -> str:
    return "%d %s" % (count, one if count == 1 else (many or one + "s"))


def _overview(log: Log, shown: Set[int]) -> str:
    """The first section: what happened in plain words, then the hottest traces, the aborts by
    reason and the guards that failed most, each with the interpreter's source line."""
    out: List[str] = ['<section class="overview" id="overview">', "<h2>Overview</h2>"]
    out.append('<nav class="toc"><a href="#overview">overview</a><a href="#hottest">hottest '
               'traces</a><a href="#aborts">aborts</a><a href="#guards">failing guards</a>'
               '<a href="#source">by interpreted function</a><a href="#graph">graph</a>'
               '<a href="#traces">op listings</a></nav>')
    out.append(_plain_counters(log))
    out.append(_hottest(log, shown))
    out.append(_aborts(log))
    out.append(_hot_guards(log, shown))
    out.append(_invalidations(log))
    out.append("</section>")
    return "\n".join(x for x in out if x)


def _plain_counters(log: Log) -> str:
    data = summarize(log, top=0)
    c = data["counters"]
    loops = sum(1 for t in log.traces if t.kind == "loop")
    bridges = len(log.traces) - loops
    said: List[str] = []
    s = "The JIT compiled %s and %s" % (_n(int(c.get("loops", loops)), "loop"),
                                         _n(int(c.get("bridges", bridges)), "bridge"))
    tiers = ["tier %s: %d" % (k, v["traces"]) for k, v in sorted(data["tiers"].items())]
    if tiers:
        s += " (%s)" % ", ".join(tiers)
    said.append(s + ", %d ops in all." % data["ops"]["optimized"])
    if "loop_entries" in c:
        said.append("Compiled loops were entered %s from the interpreter."
                    % _n(int(c["loop_entries"]), "time"))
    if "guard_failures" in c:
        s = "Guards failed %s" % _n(int(c["guard_failures"]), "time")
        if "blackholes" in c:
            s += "; %s the interpreter had to finish the failing instruction itself " \
                 "(blackhole)" % _n(int(c["blackholes"]), "time")
        said.append(s + ".")
    n_aborts = int(c.get("aborts", len(log.aborts)))
    s = "%s aborted" % _n(n_aborts, "trace was", "traces were")
    if data["aborts_by_reason"]:
        s += " (%s)" % ", ".join("%s: %s" % (ABORT_TITLES.get(k, k), v) for k, v in sorted(
            data["aborts_by_reason"].items(), key=lambda kv: (-kv[1], kv[0])))
    said.append(s + ".")
    if c.get("invalidations"):
        said.append("%s thrown away because a quasi-immutable field was written."
                    % _n(int(c["invalidations"]), "compiled trace was", "compiled traces were"))
    times = [(k[:-2], v) for k, v in data["times_s"].items() if isinstance(v, (int, float))]
    if times:
        said.append("Time spent: %s." % ", ".join("%s %.4f s" % kv for kv in times))
    rows = "".join('<tr><td>%s</td><td class="n">%s</td></tr>' % (e(k), e(v))
                   for k, v in c.items())
    return ('<p class="plain">%s</p><details><summary>all counters</summary>'
            '<table class="list counters">%s</table></details>' % (e(" ".join(said)), rows))


def _trace_link(t: Trace, shown: Set[int], text: Optional[str] = None) -> str:
    label = e(text if text is not None else t.label)
    return '<a href="#%s">%s</a>' % (e(anchor(t)), label) if t.id in shown else label


def _first_source(t: Trace) -> Optional[Dict[str, Any]]:
    for op in t.ops:
        if op.get("op") != "debug_merge_point" and op.get("source"):
            return op["source"]
    return None


def _hottest(log: Log, shown: Set[int], top: int = 10) -> str:
    if not log.traces:
        return ('<h2 id="hottest">Hottest loops and bridges</h2><p class="plain">Nothing was '
                'compiled.</p>')
    rows: List[str] = []
    for t in log.hottest(top):
        failed = sum(1 for op in t.guards if op["guard"].get("failures"))
        if t.kind == "bridge":
            origin = "from guard %s of %s" % (e(t.parent_guard), _trace_link(t.parent, shown)) \
                if t.parent is not None else "from guard %s" % e(t.parent_guard)
        else:
            origin = ""
        rows.append(
            '<tr><td>%s</td><td class="n">%d</td><td class="n">%d</td><td class="n">%d</td>'
            '<td class="n">%d</td><td>%s</td><td class="loc">%s</td><td>%s</td><td>%s</td></tr>'
            % (_trace_link(t, shown), t.heat, len(t.ops), len(t.guards), failed,
               e(t.doc.get("tier")), e(t.location), _code(where(_first_source(t))), origin))
    more = len(log.traces) - min(top, len(log.traces))
    tail = '<p class="meta">and %s more below.</p>' % _n(more, "trace") if more else ""
    return ('<h2 id="hottest">Hottest loops and bridges</h2>'
            '<table class="list"><tr><th>trace</th><th class="n" title="loops: entries; '
            'bridges: failures of the guard they start from">runs</th><th class="n">ops</th>'
            '<th class="n">guards</th><th class="n">failed</th><th>tier</th>'
            '<th>interpreted location</th><th>interpreter</th><th>origin</th></tr>%s</table>%s'
            % ("".join(rows), tail))


def _abort_facts(log: Log, a: Dict[str, Any]) -> str:
    facts: List[str] = []
    if a.get("reason") == "too_long" and a.get("ops") is not None:
        limit = log.param(a.get("driver"), "trace_limit")
        facts.append("%s ops recorded%s" % (a["ops"], " (trace_limit=%s)" % limit
                                            if limit else ""))
    inlined = [str(f.get("function", "?")) for f in a.get("inlined") or ()]
    if len(inlined) > 1:
        facts.append("inlined: " + " > ".join(inlined))
    if a.get("detail") and a.get("reason") != "too_long":
        facts.append(str(a["detail"]))
    return "; ".join(facts)


def _aborts(log: Log) -> str:
    groups = grouped_aborts(log)
    if not groups:
        return ('<h2 id="aborts">Aborted traces</h2><p class="plain">No trace was aborted.</p>')
    by_reason: Dict[str, List[Dict[str, Any]]] = {}
    for g in groups:
        by_reason.setdefault(str(g["abort"].get("reason")), []).append(g)
    counted = log.stats.get("aborts")
    more = (" of %s counted" % e(counted)) if isinstance(counted, int) and \
        counted > len(log.aborts) else ""
    out = ['<h2 id="aborts">Aborted traces, by reason (%d in the log%s)</h2>'
           % (len(log.aborts), more)]
    for reason, gs in sorted(by_reason.items(), key=lambda kv: -sum(g["count"] for g in kv[1])):
        total = sum(g["count"] for g in gs)
        out.append('<p class="reason">%s <span class="meta">(%s, reason <code>%s</code>)</span>'
                   '</p>' % (e(ABORT_TITLES.get(reason, "aborted")), _n(total, "time"),
                             e(reason)))
        out.append('<p class="advice">%s</p>' % _code(_cap(abort_advice(gs[0]["abort"]))))
        rows = "".join(
            '<tr><td class="n">%d</td><td class="loc">%s</td><td>%s</td><td>%s</td>'
            '<td>%s</td></tr>' % (g["count"], e(g["abort"].get("location", "?")),
                                  _code(where(g["abort"].get("source"))),
                                  e(g["abort"].get("kind", "")),
                                  e(_abort_facts(log, g["abort"])))
            for g in gs)
        out.append('<table class="list"><tr><th class="n">times</th><th>interpreted location'
                   '</th><th>interpreter source line</th><th>kind</th><th>detail</th></tr>%s'
                   '</table>' % rows)
    return "\n".join(out)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _hot_guards(log: Log, shown: Set[int], top: int = 10) -> str:
    hot = log.hot_guards(top)
    if not hot:
        return ('<h2 id="guards">Guards that failed most</h2><p class="plain">No guard '
                'failed.</p>')
    rows: List[str] = []
    kinds: List[str] = []
    for t, op in hot:
        g = op["guard"]
        name = str(op.get("op"))
        if name not in kinds:
            kinds.append(name)
        guard = "%s %s" % (e(name), e(g["id"]))
        if t.id in shown:
            guard = '<a href="#%s">%s</a>' % (e(_guard_anchor(t, op)), guard)
        b = g.get("bridge")
        if b is not None:
            bt = log.by_id.get(b)
            handled = ("bridge %s" % e(b)) if bt is None else _trace_link(bt, shown)
        else:
            handled = "no bridge yet"
        rows.append('<tr class="hot"><td class="n">%s</td><td>%s</td><td>%s</td>'
                    '<td class="loc">%s</td><td>%s</td><td>%s</td></tr>' % (
                        e(g.get("failures", 0)), guard, _trace_link(t, shown),
                        e(guard_location(t, g["id"]) or t.location),
                        _code(where(op.get("source"))), handled))
    out = ['<h2 id="guards">Guards that failed most</h2>',
           '<table class="list"><tr><th class="n">failures</th><th>guard</th><th>in</th>'
           '<th>interpreted location</th><th>interpreter source line</th><th>handled by</th>'
           '</tr>%s</table>' % "".join(rows)]
    for name in kinds:
        out.append('<p class="reason"><code>%s</code> fails when</p><p class="advice">%s</p>'
                   % (e(name), _code(_cap(guard_advice({"op": name})))))
    return "\n".join(out)


def _invalidations(log: Log) -> str:
    if not log.invalidations:
        return ""
    out = ['<h2 id="invalidations">Invalidations (%d)</h2>' % len(log.invalidations)]
    seen = set()
    for inv in log.invalidations:
        text = explain_invalidation(inv)
        if text not in seen:
            seen.add(text)
            out.append('<p class="why inv">%s</p>' % _code(text))
    return "\n".join(out)


def _source_view(log: Log, stage: str, shown: Set[int]) -> str:
    """Per interpreted function, its instructions in order with the traces containing each and
    the guards and aborts there (jitviewer's source-centric view)."""
    funcs = by_function(log, stage)
    out = ['<section class="source" id="source"><h2>By interpreted function</h2>']
    if not funcs:
        out.append('<p class="plain">The log names no interpreted location.</p></section>')
        return "\n".join(out)
    out.append('<p class="plain">Each interpreted instruction (the text of a '
               '<code>debug_merge_point</code>) with the traces that contain it, the guards '
               'that failed there and the aborts that happened there.</p>')
    out.append('<nav class="toc">%s</nav>' % "".join(
        '<a href="#fn-%d">%s</a>' % (i, e(f.name or "(unnamed)")) for i, f in enumerate(funcs)))
    for i, f in enumerate(funcs):
        out.append('<section class="func" id="fn-%d"><h3>%s <span class="meta">%s, %s, %s'
                   '</span></h3>' % (i, e(f.name or "(unnamed)"),
                                     _n(len(f.instructions), "instruction"),
                                     _n(f.failures, "guard failure"),
                                     _n(f.aborts, "abort")))
        if f.starts:
            out.append('<p class="meta">traces starting here: %s</p>' % ", ".join(
                "%s at %s" % (_trace_link(t, shown), e(t.location)) for t in f.starts))
        rows: List[str] = []
        for ins in f.instructions:
            in_traces = ", ".join(
                ('<a href="#%s">%s</a>' % (e(anchor(t, gi)), e(t.label)) if t.id in shown
                 else e(t.label)) + (" (%s)" % _n(n, "op") if n else " (no ops)")
                for t, gi, n in ins.traces)
            failing = [g for g in ins.guards if g.failures]
            quiet = len(ins.guards) - len(failing)
            guards = "<br>".join(
                "%s %s of %s failed %d &middot; %s" % (
                    e(g.op.get("op")), e(g.op["guard"]["id"]), _trace_link(g.trace, shown),
                    g.failures, _code(where(g.op.get("source")))) for g in failing)
            if quiet:
                guards += "%s%s never failed" % ("<br>" if guards else "",
                                                 _n(quiet, "guard"))
            aborts: Dict[str, int] = {}
            for a in ins.aborts:
                r = str(a.get("reason"))
                aborts[r] = aborts.get(r, 0) + 1
            ab = ", ".join('<a href="#aborts">%s</a> %d' % (
                e(ABORT_TITLES.get(r, r)), n) for r, n in aborts.items())
            cls = ' class="hot"' if failing or ins.aborts else ""
            rows.append('<tr%s><td class="loc">%s</td><td>%s</td><td>%s</td><td>%s</td></tr>'
                        % (cls, e(ins.location), in_traces or "-", guards or "-", ab or "-"))
        out.append('<table class="list"><tr><th>instruction</th><th>in traces</th>'
                   '<th>guards</th><th>aborts</th></tr>%s</table></section>' % "".join(rows))
    out.append("</section>")
    return "\n".join(out)


def _graph_section(svg: Optional[str], note: str) -> str:
    out = ['<section class="picture" id="graph"><h2>Graph</h2>']
    if note:
        out.append('<p class="why">%s</p>' % e(note))
    if svg:
        out.append('<details class="graph-box" id="graph-box"><summary>Show the graph (click '
                   'a trace or an instruction to jump to its listing)</summary>'
                   '<div class="graph" id="graph-svg">%s</div></details>' % svg)
    out.append("</section>")
    return "\n".join(out)


def _code(text: str) -> str:
    """Escape, then show `backticked` names as code."""
    parts = e(text).split("`")
    return "".join("<code>%s</code>" % p if i % 2 else p for i, p in enumerate(parts))


def _guard_anchor(t: Trace, op: Dict[str, Any]) -> str:
    return "trace-%d-guard-%d" % (t.id, op["guard"]["id"])


def _trace_section(log: Log, t: Trace, stage: str) -> str:
    out: List[str] = []
    out.append('<section class="trace" id="%s">' % e(anchor(t)))
    out.append("<h2>%s %d <span class=\"meta\">at</span> %s</h2>" % (
        e(t.kind), t.id, e(t.location)))
    meta: List[str] = []
    if t.kind == "loop":
        meta.append("entered %d times" % t.heat)
    if t.parent is not None:
        meta.append('bridge from guard %s of <a href="#%s">%s</a> (%d failures)' % (
            e(t.parent_guard), e(_guard_anchor(t.parent, t.parent_guard_op)
                                 if t.parent_guard_op else anchor(t.parent)),
            e(t.parent.label), t.heat))
    if t.end == "finish":
        meta.append("ends: finish (the portal returns)")
    elif t.end == "raise":
        meta.append("ends: raise (an exception leaves the portal)")
    elif t.target is not None:
        meta.append('ends: jump to <a href="#%s">%s</a>%s' % (
            e(anchor(t.target)), e(t.target.label), " (itself)" if t.target is t else ""))
    else:
        meta.append("ends: jump to %s" % e(t.doc.get("target_location") or "?"))
    if t.children:
        meta.append("bridges: " + ", ".join('<a href="#%s">%s</a>' % (e(anchor(c)), e(c.label))
                                            for c in t.children))
    if t.jumped_from:
        meta.append("jumped to from: " + ", ".join(
            '<a href="#%s">%s</a>' % (e(anchor(c)), e(c.label)) for c in t.jumped_from))
    meta.append("tier %s (%s)" % (e(t.doc.get("tier")), e(t.doc.get("tier_reason", ""))))
    ins = ", ".join("%s" % a.get("name") for a in t.doc.get("inputargs") or ())
    meta.append("inputs [%s]" % e(ins))
    out.append('<p class="meta">%s</p>' % " &middot; ".join(meta))
    out.append(_ops_table(log, t, stage))
    other = "unoptimized" if stage == "optimized" else "optimized"
    out.append("<details><summary>%s ops (%d)</summary>%s</details>" % (
        other, len(t.stage_ops(other)), _ops_table(log, t, other, anchors=False)))
    out.append("</section>")
    return "\n".join(out)


def _ops_table(log: Log, t: Trace, stage: str, anchors: bool = True) -> str:
    rows: List[str] = ['<table class="ops">']
    for gr in t.groups(stage):
        gid = ' id="%s"' % e(anchor(t, gr.index)) if anchors else ""
        section = " (%s)" % gr.section if gr.section != "loop" else ""
        loc = gr.location if gr.location is not None else "(before the first merge point)"
        rows.append('<tr class="grp"%s><td colspan="3">%s%s</td></tr>' % (gid, e(loc),
                                                                          e(section)))
        for op in gr.ops:
            if op.get("op") == "debug_merge_point":
                continue
            rows.append(_op_row(log, t, op, anchors))
    rows.append("</table>")
    return "\n".join(rows)


def _op_row(log: Log, t: Trace, op: Dict[str, Any], anchors: bool) -> str:
    src = op.get("source") or {}
    where = "%s:%s" % (short_file(src.get("file")), src.get("line")) if src else ""
    title = ' title="%s"' % e("%s in %s" % (src.get("file"), src.get("function"))) if src else ""
    g = op.get("guard")
    cls = "op"
    note = ""
    rid = ""
    if g is not None:
        if anchors:
            rid = ' id="%s"' % e(_guard_anchor(t, op))
        failures = int(g.get("failures") or 0)
        if failures == 0 and g.get("bridge") is None:
            cls += " quiet"
        else:
            cls += " hot"
            note = "failed %d" % failures
            if g.get("bridge") is not None:
                b = g["bridge"]
                note = '%s &rarr; <a href="#trace-%d">bridge %d</a>' % (
                    e(note), int(b), int(b)) if b in log.by_id else "%s &rarr; bridge %s" % (
                    e(note), e(b))
            else:
                note = e(note)
    text = str(op.get("text") or op.get("op"))
    return '<tr class="%s"%s><td class="text">%s</td><td>%s</td><td class="src"%s>%s</td></tr>' % (
        cls, rid, e(text), note, title, e(where))
