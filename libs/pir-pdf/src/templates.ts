/*
 * The document's templates. Written by the portal, compiled once by a private Handlebars instance; user text
 * reaches them only through `{{ }}` (escaped) or, for Markdown sections, as `{{{ html }}}` produced by
 * renderMarkdown (sanitized). Templates a user wrote are never compiled.
 */
export const DOCUMENT_TEMPLATE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:; base-uri 'none'; form-action 'none'">
<title>{{meta.title}}</title>
<style>
{{{fontFaces}}}
@page { size: {{format}}; margin: 22mm 16mm 20mm 16mm;
{{{pageBoxes}}}
}
* { box-sizing: border-box; }
html { font-family: 'Inter', 'Noto Sans', 'Noto Color Emoji', sans-serif; font-size: 10pt; color: #1a1f2b; line-height: 1.5; }
body { margin: 0; }
.cover { border-bottom: 3px solid #1c4e80; padding-bottom: 10pt; margin-bottom: 14pt; }
.brand { display: flex; align-items: center; gap: 10pt; margin-bottom: 10pt; }
.brand img { max-height: 34pt; max-width: 120pt; }
.brand .tenant { font-size: 12pt; font-weight: 600; color: #1c4e80; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 8.5pt; color: #5a6477; font-weight: 600; }
h1 { font-size: 20pt; line-height: 1.25; margin: 2pt 0 8pt; font-weight: 700; overflow-wrap: anywhere; }
h2 { font-size: 13pt; color: #1c4e80; margin: 18pt 0 6pt; border-bottom: 1px solid #d5dbe5; padding-bottom: 3pt; break-after: avoid; }
h3, h4, h5, h6 { font-size: 11pt; margin: 10pt 0 4pt; break-after: avoid; }
.facts { display: grid; grid-template-columns: repeat(4, 1fr); gap: 6pt 12pt; margin: 0; }
.facts div { background: #f3f6fa; border-radius: 4pt; padding: 5pt 7pt; }
.facts dt { font-size: 7.5pt; text-transform: uppercase; letter-spacing: .06em; color: #5a6477; }
.facts dd { margin: 1pt 0 0; font-weight: 600; overflow-wrap: anywhere; }
.sev { display: inline-block; padding: 0 5pt; border-radius: 3pt; background: #b42318; color: #fff; }
nav.toc { background: #f8fafc; border: 1px solid #e3e8ef; border-radius: 4pt; padding: 8pt 12pt; margin-bottom: 6pt; }
nav.toc ol { margin: 4pt 0 0; padding-left: 16pt; columns: 2; }
nav.toc a { color: #1a1f2b; text-decoration: none; }
.section { overflow-wrap: anywhere; }
.section p { margin: 0 0 6pt; }
pre, code { font-family: 'DejaVu Sans Mono', monospace; font-size: 8.5pt; }
pre { background: #f3f6fa; padding: 6pt; white-space: pre-wrap; overflow-wrap: anywhere; }
blockquote { border-left: 3px solid #d5dbe5; margin: 0 0 6pt; padding-left: 8pt; color: #3d4657; }
table { width: 100%; border-collapse: collapse; margin: 4pt 0 8pt; font-size: 9pt; }
th { text-align: left; background: #1c4e80; color: #fff; font-weight: 600; padding: 4pt 6pt; }
td { border-bottom: 1px solid #e3e8ef; padding: 4pt 6pt; vertical-align: top; overflow-wrap: anywhere; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
td.when { white-space: nowrap; width: 1%; }
.outcome-breached { color: #b42318; font-weight: 600; }
.outcome-met { color: #067647; font-weight: 600; }
.empty { color: #5a6477; font-style: italic; }
[dir=auto] { unicode-bidi: plaintext; }
</style>
</head>
<body>
<header class="cover">
  <div class="brand">
    {{#if logo}}<img src="{{logo}}" alt="">{{/if}}
    <span class="tenant">{{tenant.name}}</span>
  </div>
  <div class="kicker">Post-incident review · {{incident.reference}} · version {{review.version}}</div>
  <h1 dir="auto">{{incident.title}}</h1>
  <dl class="facts">
    <div><dt>Severity</dt><dd><span class="sev">{{incident.severity}}</span></dd></div>
    <div><dt>Service</dt><dd dir="auto">{{#if incident.service}}{{incident.service}}{{else}}—{{/if}}</dd></div>
    <div><dt>Declared</dt><dd>{{incident.declaredAt}}</dd></div>
    <div><dt>Acknowledged</dt><dd>{{#if incident.acknowledgedAt}}{{incident.acknowledgedAt}}{{else}}—{{/if}}</dd></div>
    <div><dt>Resolved</dt><dd>{{#if incident.resolvedAt}}{{incident.resolvedAt}}{{else}}—{{/if}}</dd></div>
    <div><dt>Duration</dt><dd>{{#if incident.duration}}{{incident.duration}}{{else}}—{{/if}}</dd></div>
    <div><dt>Review status</dt><dd>{{review.status}}</dd></div>
    <div><dt>Published</dt><dd>{{#if review.publishedAt}}{{review.publishedAt}}{{else}}—{{/if}}</dd></div>
  </dl>
</header>
<nav class="toc" aria-label="Contents">
  <div class="kicker">Contents</div>
  <ol>{{#each toc}}<li><a href="#{{id}}">{{title}}</a></li>{{/each}}</ol>
</nav>
{{#each blocks}}
<section class="section" id="{{id}}">
  <h2>{{number}}. {{title}}</h2>
  {{#if html}}<div dir="auto">{{{html}}}</div>{{/if}}
  {{#if timeline}}
  <table>
    <thead><tr><th>Time</th><th>Event</th><th>Details</th></tr></thead>
    <tbody>
    {{#each timeline}}<tr><td class="when">{{at}}</td><td>{{kind}}</td><td dir="auto">{{text}}</td></tr>{{/each}}
    </tbody>
  </table>
  {{/if}}
  {{#if actionItems}}
  <table>
    <thead><tr><th>Action</th><th>Owner</th><th>Priority</th><th>Due</th><th>Status</th></tr></thead>
    <tbody>
    {{#each actionItems}}<tr><td dir="auto">{{action}}</td><td dir="auto">{{owner}}</td><td>{{priority}}</td><td class="when">{{#if dueDate}}{{dueDate}}{{else}}—{{/if}}</td><td>{{status}}</td></tr>{{/each}}
    </tbody>
  </table>
  {{/if}}
  {{#if slaOutcomes}}
  <table>
    <thead><tr><th>Clock</th><th>Target</th><th>Outcome</th><th>Detail</th></tr></thead>
    <tbody>
    {{#each slaOutcomes}}<tr><td>{{clock}}</td><td>{{target}}</td><td class="{{outcomeClass}}">{{outcome}}</td><td>{{#if detail}}{{detail}}{{else}}—{{/if}}</td></tr>{{/each}}
    </tbody>
  </table>
  {{/if}}
  {{#if emptyText}}<p class="empty">{{emptyText}}</p>{{/if}}
</section>
{{/each}}
</body>
</html>`;

/** The page's header and footer, as CSS page-margin boxes (the strings are CSS-escaped by html.ts). */
export const PAGE_BOX_STYLE = "font-family: 'Inter', sans-serif; font-size: 7.5pt; color: #5a6477;";
