//! `bosun inspect --format html`: one self-contained page to attach to a pull request. A
//! zoomable treemap of layer → owner → directory → file (the script and styles are inline;
//! nothing is fetched), then the same numbers as plain tables, readable without JavaScript:
//! the layers with what created them, bytes by owner, dive's efficiency, the findings.

use std::fmt::Write as _;

use crate::inspect::Report;
use crate::owners::{Node, OwnerKind};

/// The page for `report`; `tree` is the size tree of its visible files.
pub fn page(report: &Report, tree: &Node) -> String {
    let mut s = String::new();
    let title = format!("{} · bosun inspect", report.reference);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    let _ = writeln!(s, "<h1>{}</h1>", escape(&report.reference));
    let _ = writeln!(
        s,
        "<p class=\"meta\">{} · {} · {} uncompressed, {} compressed, {} layers{}</p>",
        escape(report.digest.as_deref().unwrap_or(&report.config_digest)),
        escape(&report.platform),
        human(report.uncompressed_size),
        human(report.compressed_size),
        report.layer_count,
        report
            .created
            .as_deref()
            .map(|c| format!(" · created {}", escape(c)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        s,
        "<h2>Where the bytes are</h2>\n<nav id=\"crumbs\"></nav>\n<div id=\"treemap\" data-bytes=\"{}\"><p>The treemap needs JavaScript; the tables below hold the same numbers.</p></div>",
        tree.bytes
    );

    let _ = writeln!(
        s,
        "<h2>Layers</h2>\n<table id=\"layers\">\n<tr><th>#</th><th>Size</th><th>Compressed</th><th>Added</th><th>Changed</th><th>Removed</th><th>Created by</th></tr>"
    );
    for l in &report.layers {
        let _ = writeln!(
            s,
            "<tr data-layer=\"{}\" data-bytes=\"{}\"><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td><code>{}</code></td></tr>",
            l.index,
            l.content_size,
            l.index,
            human(l.content_size),
            human(l.compressed_size),
            l.changes.added,
            l.changes.modified,
            l.changes.removed,
            escape(l.created_by.as_deref().unwrap_or(""))
        );
    }
    s.push_str("</table>\n");

    if let Some(o) = &report.owners {
        let _ = writeln!(
            s,
            "<h2>Bytes by owner</h2>\n<p id=\"owner-totals\" data-total=\"{}\" data-owned=\"{}\" data-unowned=\"{}\" data-hidden=\"{}\">{} in files: {} owned by {} packages, {} unowned; {} more stored but hidden by later layers.</p>",
            o.total_bytes,
            o.owned_bytes,
            o.unowned_bytes,
            o.hidden_bytes,
            human(o.total_bytes),
            human(o.owned_bytes),
            o.packages.len(),
            human(o.unowned_bytes),
            human(o.hidden_bytes)
        );
        s.push_str("<table id=\"owners\">\n<tr><th>Kind</th><th>Owner</th><th>Version</th><th>Files</th><th>Size</th><th>Layer</th><th>Needed by</th></tr>\n");
        for p in o.packages.iter().chain(&o.unowned) {
            let kind = match p.kind {
                OwnerKind::Deb => "deb",
                OwnerKind::Python => "python",
                OwnerKind::Npm => "npm",
                OwnerKind::Step => "step",
                OwnerKind::Unowned => "unowned",
            };
            let needed = match &p.required_by {
                None => String::new(),
                Some(r) if r.is_empty() => "nothing (a leaf)".into(),
                Some(r) => escape(&r.join(", ")),
            };
            let _ = writeln!(
                s,
                "<tr data-kind=\"{kind}\" data-owner=\"{}\" data-bytes=\"{}\"><td>{kind}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{needed}</td></tr>",
                escape(&p.name),
                p.bytes,
                escape(&p.name),
                escape(p.version.as_deref().unwrap_or("")),
                p.files,
                human(p.bytes),
                p.layer.map(|l| l.to_string()).unwrap_or_default(),
            );
        }
        s.push_str("</table>\n");
    }

    let d = &report.dive;
    let k = &report.corrected;
    let _ = writeln!(
        s,
        "<h2>Efficiency</h2>\n<table id=\"efficiency\">\n<tr><th>dive: efficiency</th><td class=\"n\">{:.4} %</td></tr>\n<tr><th>dive: wasted bytes</th><td class=\"n\" data-bytes=\"{}\">{}</td></tr>\n<tr><th>dive: user wasted</th><td class=\"n\">{:.4} %</td></tr>\n<tr><th>visible of stored file bytes</th><td class=\"n\">{} of {} ({:.4} %)</td></tr>\n</table>",
        d.efficiency * 100.0,
        d.wasted_bytes,
        human(d.wasted_bytes),
        d.user_wasted_percent * 100.0,
        human(k.visible_bytes),
        human(k.stored_bytes),
        k.efficiency * 100.0
    );

    s.push_str("<h2>Findings</h2>\n");
    if report.findings.is_empty() {
        s.push_str("<p>None.</p>\n");
    } else {
        s.push_str("<table id=\"findings\">\n<tr><th>Code</th><th>Severity</th><th>Finding</th><th>Where</th></tr>\n");
        for f in &report.findings {
            let severity = f.severity.as_str();
            let at = escape(&f.place().unwrap_or_default());
            let _ = writeln!(
                s,
                "<tr class=\"{severity}\"><td>{}</td><td>{severity}</td><td>{}</td><td>{at}</td></tr>",
                f.code,
                escape(&f.message)
            );
        }
        s.push_str("</table>\n");
    }
    // `</` cannot appear inside the script element; JSON allows `<\/` for `</`.
    let data = serde_json::to_string(tree)
        .unwrap_or_default()
        .replace("</", "<\\/");
    let _ = write!(
        s,
        "<script type=\"application/json\" id=\"tree\">{data}</script>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    );
    s
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn human(bytes: u64) -> String {
    crate::ci::humanize_bytes(bytes)
}

const STYLE: &str = "
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.meta{color:#555;margin:0}
table{border-collapse:collapse}th,td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.error td{color:#a00}tr.warning td{color:#a60}
code{font-size:12px;word-break:break-all}
#crumbs{margin-bottom:6px}#crumbs a{cursor:pointer;color:#06c;margin-right:4px}
#treemap{position:relative;width:100%;height:520px;background:#eee}
.tm-node{position:absolute;overflow:hidden;box-sizing:border-box;border:1px solid #fff;color:#fff;font:11px system-ui,sans-serif;padding:2px 3px;white-space:nowrap;text-overflow:ellipsis}
.tm-node.zoom{cursor:zoom-in}
";

const SCRIPT: &str = r#"
(function () {
  var data = JSON.parse(document.getElementById('tree').textContent);
  var box = document.getElementById('treemap');
  var crumbs = document.getElementById('crumbs');
  var colors = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#b8a12a', '#b07aa1', '#d3697a', '#9c755f', '#7f7f7f'];
  var path = [data];
  function human(b) {
    var units = ['B', 'kB', 'MB', 'GB', 'TB'], i = 0;
    while (b >= 1000 && i < 4) { b /= 1000; i++; }
    return (i ? b.toFixed(1) : b) + ' ' + units[i];
  }
  function worst(row, side) {
    var sum = 0, max = 0, min = Infinity;
    row.forEach(function (r) { sum += r.area; max = Math.max(max, r.area); min = Math.min(min, r.area); });
    return Math.max(side * side * max / (sum * sum), sum * sum / (side * side * min));
  }
  function place(row, rect, out) {
    var sum = row.reduce(function (a, r) { return a + r.area; }, 0);
    if (rect.w >= rect.h) {
      var cw = sum / rect.h, y = rect.y;
      row.forEach(function (r) { var h = r.area / cw; out.push([r, rect.x, y, cw, h]); y += h; });
      return { x: rect.x + cw, y: rect.y, w: rect.w - cw, h: rect.h };
    }
    var rh = sum / rect.w, x = rect.x;
    row.forEach(function (r) { var w = r.area / rh; out.push([r, x, rect.y, w, rh]); x += w; });
    return { x: rect.x, y: rect.y + rh, w: rect.w, h: rect.h - rh };
  }
  // Squarified treemap (Bruls, Huizing and van Wijk): rows whose rectangles stay near square.
  function squarify(items, rect, out) {
    var row = [];
    items.forEach(function (item) {
      var side = Math.min(rect.w, rect.h);
      if (row.length && worst(row.concat([item]), side) > worst(row, side)) {
        rect = place(row, rect, out);
        row = [];
      }
      row.push(item);
    });
    if (row.length) place(row, rect, out);
  }
  // Draws `node`'s children into `rect` of `into`, and their children inside them down to
  // `depth` more levels where there is room.
  function draw(node, rect, into, depth, level) {
    var kids = (node.c || []).filter(function (c) { return c.b > 0; });
    var total = kids.reduce(function (a, c) { return a + c.b; }, 0) || 1;
    var items = kids.map(function (c, i) { return { node: c, index: i, area: c.b / total * rect.w * rect.h }; });
    var out = [];
    squarify(items, { x: 0, y: 0, w: rect.w, h: rect.h }, out);
    out.forEach(function (p) {
      var r = p[0], d = document.createElement('div');
      d.className = 'tm-node' + (r.node.c ? ' zoom' : '');
      d.style.left = (rect.x + p[1]) + 'px'; d.style.top = (rect.y + p[2]) + 'px';
      d.style.width = p[3] + 'px'; d.style.height = p[4] + 'px';
      d.style.background = colors[(r.index + 3 * level) % colors.length];
      d.setAttribute('data-name', r.node.n);
      d.setAttribute('data-bytes', r.node.b);
      d.setAttribute('data-level', level);
      d.title = r.node.n + ' \u2014 ' + human(r.node.b);
      if (p[3] > 50 && p[4] > 14) d.textContent = r.node.n + ' ' + human(r.node.b);
      if (r.node.c) d.onclick = function (e) { e.stopPropagation(); path.push(r.node); render(); };
      into.appendChild(d);
      if (depth > 0 && r.node.c && p[3] > 40 && p[4] > 40) {
        draw(r.node, { x: 2, y: 16, w: p[3] - 6, h: p[4] - 20 }, d, depth - 1, level + 1);
      }
    });
  }
  function render() {
    var node = path[path.length - 1];
    box.textContent = '';
    draw(node, { x: 0, y: 0, w: box.clientWidth, h: box.clientHeight }, box, 1, path.length - 1);
    crumbs.textContent = '';
    path.forEach(function (n, i) {
      var a = document.createElement(i < path.length - 1 ? 'a' : 'span');
      a.textContent = n.n + ' (' + human(n.b) + ')';
      if (i < path.length - 1) a.onclick = function () { path = path.slice(0, i + 1); render(); };
      crumbs.appendChild(a);
      if (i < path.length - 1) crumbs.appendChild(document.createTextNode(' / '));
    });
  }
  window.addEventListener('resize', render);
  render();
})();
"#;
