/// The audit page's stylesheet: readable at any screen width (long lines wrap, nothing scrolls
/// sideways) and printed on A4 (a page per setup, table headers repeated, no row cut in two).
/// Colours only repeat what the words say.
enum HTMLStyle {
    static let css = """
    :root{--bad:#a4161a;--bad-bg:#fde4e2;--warn:#7a4a00;--warn-bg:#fff0cc;--good:#1b5e20;--good-bg:#e2f3e4;--neutral:#333;--neutral-bg:#f0f0f0}
    *{box-sizing:border-box}
    html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
    body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1b1b1b;margin:0;background:#fff}
    main{max-width:1200px;margin:0 auto;padding:24px 28px}
    h1{font-size:1.75em;margin:0 0 .2em}
    h2{font-size:1.3em;border-bottom:2px solid #ccc;padding-bottom:.15em;margin:1.8em 0 .5em;overflow-wrap:anywhere}
    h3{font-size:1.08em;margin:1.3em 0 .4em}
    h4{font-size:1em;margin:1em 0 .3em}
    p{margin:.35em 0}
    a{color:#0b4f9c}
    code,pre{font:13px/1.4 ui-monospace,"SFMono-Regular",Menlo,Consolas,"Liberation Mono",monospace}
    code{background:#f2f2f2;padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}
    table{border-collapse:collapse;width:100%;margin:.5em 0}
    th,td{border:1px solid #c8c8c8;padding:.3em .5em;text-align:left;vertical-align:top}
    td.wrap{overflow-wrap:anywhere}
    td.nowrap{white-space:nowrap}
    thead th{background:#e9e9e9}
    .num{text-align:right;white-space:nowrap}
    table.facts th{width:11em;background:#f5f5f5;font-weight:600}
    table.facts td{overflow-wrap:anywhere}
    .lede{font-size:1.1em}
    .tone-bad{background:var(--bad-bg);color:var(--bad)}
    .tone-warn{background:var(--warn-bg);color:var(--warn)}
    .tone-good{background:var(--good-bg);color:var(--good)}
    .tone-neutral{color:var(--neutral)}
    p.verdict{display:inline-block;padding:.2em .6em;border:1px solid currentColor;border-radius:4px;font-weight:600}
    .meta{color:#555}
    .sev{display:inline-block;font-weight:700;font-size:.8em;letter-spacing:.03em;text-transform:uppercase;padding:0 .4em;border:1px solid currentColor;border-radius:3px}
    .sev.error{color:var(--bad);background:var(--bad-bg)}
    .sev.warning{color:var(--warn);background:var(--warn-bg)}
    .sev.note{color:var(--neutral);background:var(--neutral-bg)}
    .finding{border-left:5px solid #999;padding:.3em .9em .4em;margin:.7em 0;background:#fcfcfc}
    .finding.error{border-left-color:var(--bad)}
    .finding.warning{border-left-color:#c98a00}
    .finding.note{border-left-color:#8a8a8a}
    .finding .where{color:#555;overflow-wrap:anywhere}
    .finding .msg{font-weight:600}
    pre.src{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f4f4;border:1px solid #e0e0e0;padding:.4em .6em;margin:.4em 0}
    pre.src .ln{display:inline-block;min-width:3.5em;color:#666;user-select:none}
    mark{background:#ffd866;color:inherit;text-decoration:underline}
    .chart{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
    .chart svg{flex:1 1 420px;max-width:560px;height:auto}
    .chart table{flex:1 1 360px;width:auto}
    .rule{border-top:1px solid #ddd;padding-top:.3em}
    footer{margin-top:2.5em;color:#555;font-size:.9em;border-top:1px solid #ddd;padding-top:.5em}
    @media print{
    @page{size:A4;margin:14mm 12mm}
    body{font-size:9.5pt}
    main{max-width:none;padding:0}
    code,pre{font-size:8.5pt}
    table.inventory{font-size:8pt}
    a{color:inherit;text-decoration:none}
    section.setup,#rules{break-before:page}
    thead{display:table-header-group}
    tr,.finding,.rule,.chart svg{break-inside:avoid}
    h2,h3,h4{break-after:avoid}
    }
    """
}
