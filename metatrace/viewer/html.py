"""``metatrace view --format html``: one self-contained page with the picture, a searchable op
listing per trace, links from guards to their bridges, and the explanations.

Self-contained means no network at all: inline CSS, a few lines of inline script, system fonts,
and a Content-Security-Policy that forbids fetching anything.  Every piece of text that comes
from the log goes through :func:`html.escape`.
"""

from __future__ import annotations

import html
from typing import Any, Dict, List, Optional

from .explain import explain_abort, explain_guard, explain_invalidation, grouped_aborts
from .graph import anchor
from .model import Log, Trace, short_file
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
    parts.append(_counters(log))
    if note:
        parts.append('<p class="why">%s</p>' % e(note))
    if svg:
        parts.append('<div class="graph" id="graph">%s</div>' % svg)
    parts.append(_explanations(log))
    traces = log.traces
    if trace_id is not None:
        center = log.trace(trace_id)
        traces = [center] + log.neighbours(center)
    for t in traces:
        parts.append(_trace_section(log, t, stage))
    parts.append("</main><script>%s</script></body></html>" % SCRIPT)
    return "\n".join(parts)


def _counters(log: Log) -> str:
    data = summarize(log, top=0)
    c = data["counters"]
    keys = ["loops", "bridges", "aborts", "guard_failures", "invalidations", "tier1", "tier2"]
    cells = "".join('<tr><td>%s</td><td class="n">%s</td></tr>' % (e(k), e(c[k]))
                    for k in keys if k in c)
    times = "".join('<tr><td>%s</td><td class="n">%.4f s</td></tr>' % (e(k[:-2]), v)
                    for k, v in data["times_s"].items() if isinstance(v, (int, float)))
    return ('<table class="counters"><tr><td valign="top"><table>%s</table></td>'
            '<td valign="top"><table>%s</table></td></tr></table>' % (cells, times))


def _explanations(log: Log) -> str:
    out: List[str] = []
    groups = grouped_aborts(log)
    if groups:
        out.append('<h2 id="aborts">Aborted traces (%d)</h2>' % len(log.aborts))
        for g in groups:
            out.append('<p class="why abort">%s</p>' % _code(explain_abort(log, g["abort"],
                                                                          g["count"])))
    hot = log.hot_guards(10)
    if hot:
        out.append('<h2 id="guards">Guards that failed most</h2>')
        for t, op in hot:
            out.append('<p class="why guard">%s <a href="#%s">in %s</a></p>' % (
                _code(explain_guard(log, t, op)), e(_guard_anchor(t, op)), e(t.label)))
    if log.invalidations:
        out.append('<h2 id="invalidations">Invalidations (%d)</h2>' % len(log.invalidations))
        seen = set()
        for inv in log.invalidations:
            text = explain_invalidation(inv)
            if text not in seen:
                seen.add(text)
                out.append('<p class="why inv">%s</p>' % _code(text))
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
